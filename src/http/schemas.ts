// Schemas shared by every route: the problem+json body.
import { Type } from "@fastify/type-provider-typebox";

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    request_id: Type.String(),
  },
  { description: "RFC 9457 problem details with a stable `code`" },
);
