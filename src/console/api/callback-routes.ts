// The management API of a partner's call-back endpoints (docs/callbacks.md).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { CALLBACK_KINDS } from "../../callbacks/service.js";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import { Id, NoContent, Nullable, PartnerParams, Problems, security, tags } from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

const CallbackSchema = Type.Object({
  kind: Type.String(),
  url: Type.String(),
  timeout_ms: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
const KindParams = Type.Object({
  partnerId: Id,
  kind: Type.Union(CALLBACK_KINDS.map((k) => Type.Literal(k))),
});

export function callbackManagementRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/partners/:partnerId/callbacks",
    {
      schema: {
        tags,
        security,
        summary: "The partner's call-back endpoints (never their secrets)",
        params: PartnerParams,
        response: { 200: Type.Object({ callbacks: Type.Array(CallbackSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return { callbacks: await management.listCallbacks(viewer, request.params.partnerId) };
    },
  );

  app.put(
    "/v1/manage/partners/:partnerId/callbacks/:kind",
    {
      schema: {
        tags,
        security,
        summary:
          "Register or change the endpoint for a call-back kind; a new one's signing secret is shown once",
        params: KindParams,
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2048 }),
            timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ callback: CallbackSchema, secret: Nullable(Type.String()) }),
          ...Problems,
        },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      const { url, timeout_ms: timeoutMs } = request.body;
      return management.setCallback(acting, request.params.partnerId, request.params.kind, {
        url,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    },
  );

  app.delete(
    "/v1/manage/partners/:partnerId/callbacks/:kind",
    {
      schema: {
        tags,
        security,
        summary: "Remove the endpoint for a call-back kind",
        params: KindParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.removeCallback(acting, request.params.partnerId, request.params.kind);
      return reply.code(204).send(null);
    },
  );
}
