// Native SSO API: partners mint and follow tickets and end users' tickets and sessions; apps ask
// who the user is (forward-auth for reverse proxies, introspection for backends).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requirePartner } from "../auth/routes.js";
import { basicCredentials } from "../http/basic.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import { ProblemSchema } from "../http/schemas.js";
import type { Services } from "../services.js";
import { sessionCookieName } from "../sessions/cookies.js";
import type { LiveSession } from "../sessions/service.js";
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

const IntrospectRequest = Type.Object(
  {
    token: Type.String({ maxLength: 256 }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 64 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

const bearer = [{ bearer: [] }];

/** Header values are Latin-1: non-ASCII characters (and %) of an email are percent-encoded. */
function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must not reach a header
  return value.replace(/[%\u0000-\u001f\u007f-\uffff]/gu, (c) => encodeURIComponent(c));
}

/** The app behind an introspection request: HTTP Basic, or client_id/client_secret in the body. */
async function requireApp(
  services: Services,
  request: FastifyRequest,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
) {
  // App ids and secrets are URL-safe, so no form-decoding (RFC 6749 §2.3.1) is needed.
  const basic = basicCredentials(request.headers.authorization);
  const id = basic?.user ?? body.client_id;
  const secret = basic?.password ?? body.client_secret;
  const ip = clientIp(request);
  await services.redeemFailures.check(ip);
  const app = id && secret ? await services.apps.authenticate(id, secret) : null;
  if (!app) {
    await services.redeemFailures.fail(ip, request.log);
    throw new HandoffError("invalid_client", undefined, {
      headers: { "www-authenticate": 'Basic realm="handoff"' },
    });
  }
  return app;
}

export function introspection(
  services: Services,
  session: LiveSession,
  withAuthToken: boolean,
): { active: boolean } & Record<string, unknown> {
  return {
    active: true,
    token_type: "handoff_session",
    client_id: session.appId,
    sub: session.userId,
    username: session.externalId,
    iat: Math.floor(session.createdAt / 1000),
    exp: Math.floor(session.expiresAt / 1000),
    user: {
      id: session.userId,
      external_id: session.externalId,
      email: session.email,
      name: session.name,
      phone: session.phone,
    },
    partner: session.partnerId,
    sub_account: session.accountId === session.partnerId ? null : session.accountId,
    fields: session.fields,
    otp: session.otp,
    context: session.context,
    partner_data: services.sessions.partnerData(session, withAuthToken),
  };
}

export async function ssoRoutes(fastify: FastifyInstance, services: Services): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = sessionCookieName(services.config);

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

  app.post(
    "/v1/users/:id/sessions/revoke",
    {
      schema: {
        tags: ["sso"],
        summary: "End every live session of a user",
        security: bearer,
        params: IdParams,
        response: { 200: Type.Object({ ended: Type.Integer() }), "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      const user = await services.users.reachable(principal.partnerId, request.params.id);
      return {
        ended: await services.sessions.endForUser(user.id, principal.partnerId, clientIp(request)),
      };
    },
  );

  app.get(
    "/v1/session/verify",
    {
      schema: {
        tags: ["apps"],
        summary:
          "Forward-auth: 200 with X-Handoff-* headers for a live session cookie; 401 without one, 403 when it is another app's",
        querystring: Type.Object(
          { app: Type.Optional(Type.String({ maxLength: 64 })) },
          { additionalProperties: false },
        ),
      },
      logLevel: "warn",
    },
    async (request, reply) => {
      const session = await services.sessions.check(request.cookies[cookieName]);
      if (!session) throw new HandoffError("no_session");
      if (request.query.app !== undefined && request.query.app !== session.appId) {
        throw new HandoffError("session_for_other_app");
      }
      reply
        .header("x-handoff-user", session.userId)
        .header("x-handoff-external-id", headerSafe(session.externalId))
        .header("x-handoff-partner", session.accountId)
        .header("x-handoff-app", session.appId);
      if (session.accountId !== session.partnerId) {
        reply.header("x-handoff-parent-partner", session.partnerId);
      }
      if (session.email !== null) reply.header("x-handoff-email", headerSafe(session.email));
      return reply.code(200).send("");
    },
  );

  app.post(
    "/v1/sessions/introspect",
    {
      schema: {
        tags: ["apps"],
        summary: "Session introspection for an app's backend (RFC 7662 style)",
        security: [{ appBasic: [] }],
        body: IntrospectRequest,
        response: {
          200: Type.Object({ active: Type.Boolean() }, { additionalProperties: true }),
          "4xx": ProblemSchema,
        },
      },
    },
    async (request) => {
      const appRecord = await requireApp(services, request, request.body);
      const session = await services.sessions.check(request.body.token);
      // An app learns only about its own sessions.
      if (!session || session.appId !== appRecord.id) return { active: false };
      return introspection(services, session, appRecord.seesAuthToken);
    },
  );
}
