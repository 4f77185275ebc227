// The partner API of login links: mint one, see what became of it, revoke it or all of a user's.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { requirePartner } from "../auth/guard.js";
import type { AuthService } from "../auth/service.js";
import type { Config } from "../config.js";
import { clientIp } from "../http/client-ip.js";
import type { FailureLimiter } from "../http/failures.js";
import { ProblemSchema } from "../http/schemas.js";
import type { UserService } from "../users/service.js";
import type { TicketService } from "./service.js";

/** What this module uses. */
export interface TicketRouteDeps {
  auth: AuthService;
  config: Config;
  exchangeFailures: FailureLimiter;
  tickets: TicketService;
  users: UserService;
}

type Deps = TicketRouteDeps;

import { loginUrl, OTP_MODES } from "./service.js";

const FieldSetting = Type.Object(
  {
    editable: Type.Optional(Type.Boolean()),
    hidden: Type.Optional(Type.Boolean()),
    support_alternate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UserInput = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "The partner's own id for the user",
    }),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    phone: Type.Optional(
      Type.Object(
        {
          number: Type.String({ pattern: "^[0-9]{4,20}$" }),
          country_code: Type.String({ pattern: "^\\+?[0-9]{1,4}$" }),
        },
        { additionalProperties: false },
      ),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

const MintRequest = Type.Object(
  {
    user: UserInput,
    app: Type.String({ minLength: 1, maxLength: 64 }),
    return_to: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    ttl_seconds: Type.Optional(Type.Integer({ minimum: 1 })),
    bind_ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64 })),
    on_behalf_of: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    fields: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(FieldSetting),
          phone: Type.Optional(
            Type.Object(
              { editable: Type.Optional(Type.Boolean()), hidden: Type.Optional(Type.Boolean()) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    otp: Type.Optional(Type.Union(OTP_MODES.map((m) => Type.Literal(m)))),
    partner_data: Type.Optional(
      Type.Object(
        { auth_token: Type.Optional(Type.String({ maxLength: 4096 })) },
        { additionalProperties: true, maxProperties: 50 },
      ),
    ),
  },
  { additionalProperties: false },
);

const MintResponse = Type.Object({
  id: Type.String(),
  ticket: Type.String(),
  login_url: Type.String(),
  expires_at: Type.String({ format: "date-time" }),
  user_id: Type.String(),
});

const TicketStatus = Type.Object({
  id: Type.String(),
  status: Type.Union([
    Type.Literal("issued"),
    Type.Literal("redeemed"),
    Type.Literal("expired"),
    Type.Literal("revoked"),
    Type.Literal("rejected"),
  ]),
  reason: Type.Union([Type.String(), Type.Null()]),
  user_id: Type.String(),
  app: Type.String(),
  account_id: Type.String(),
  created_at: Type.String({ format: "date-time" }),
  expires_at: Type.String({ format: "date-time" }),
  redeemed_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  revoked_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  rejected_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  last_failure: Type.Union([
    Type.Object({ reason: Type.String(), at: Type.String({ format: "date-time" }) }),
    Type.Null(),
  ]),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const bearer = [{ bearer: [] }];

export async function ticketRoutes(fastify: FastifyInstance, services: Deps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/v1/sso/tickets",
    {
      schema: {
        tags: ["sso"],
        summary: "Mint a single-use login link for one user and one app",
        security: bearer,
        body: MintRequest,
        response: { 201: MintResponse, "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const principal = await requirePartner(services, request);
      const body = request.body;
      const minted = await services.tickets.mint({
        partnerId: principal.partnerId,
        apiTokenId: principal.apiTokenId,
        onBehalfOf: body.on_behalf_of,
        user: body.user,
        appId: body.app,
        returnTo: body.return_to,
        ttlSeconds: body.ttl_seconds,
        bindIp: body.bind_ip,
        fields: body.fields,
        otp: body.otp,
        partnerData: body.partner_data,
        ip: clientIp(request),
      });
      return reply.code(201).send({
        id: minted.id,
        ticket: minted.ticket,
        login_url: loginUrl(services.config.baseUrl, minted.ticket),
        expires_at: new Date(minted.expiresAt).toISOString(),
        user_id: minted.userId,
      });
    },
  );

  app.get(
    "/v1/sso/tickets/:id",
    {
      schema: {
        tags: ["sso"],
        summary: "What became of a ticket",
        security: bearer,
        params: IdParams,
        response: { 200: TicketStatus, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      return services.tickets.status(principal.partnerId, request.params.id);
    },
  );

  app.delete(
    "/v1/sso/tickets/:id",
    {
      schema: {
        tags: ["sso"],
        summary: "Revoke a ticket that has not been used",
        security: bearer,
        params: IdParams,
        response: { 200: TicketStatus, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      return services.tickets.revoke(principal.partnerId, request.params.id, clientIp(request));
    },
  );

  app.post(
    "/v1/users/:id/tickets/revoke",
    {
      schema: {
        tags: ["sso"],
        summary: "Revoke every outstanding ticket of a user",
        security: bearer,
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      const user = await services.users.reachable(principal.partnerId, request.params.id);
      return {
        revoked: await services.tickets.revokeForUser(
          user.id,
          principal.partnerId,
          clientIp(request),
        ),
      };
    },
  );
}
