// What apps ask of a session: forward-auth for reverse proxies, introspection for an app's
// backend, and a partner ending a user's sessions.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { requireApp } from "../apps/guard.js";
import type { AppService } from "../apps/service.js";
import { requirePartner } from "../auth/guard.js";
import type { AuthService } from "../auth/service.js";
import type { Config } from "../config.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { ProblemSchema } from "../http/schemas.js";
import type { UserService } from "../users/service.js";
import type { SessionService } from "./service.js";

/** What this module uses. */
export interface SessionRouteDeps {
  apps: AppService;
  auth: AuthService;
  config: Config;
  exchangeFailures: FailureLimiter;
  redeemFailures: FailureLimiter;
  sessions: SessionService;
  users: UserService;
}

type Deps = SessionRouteDeps;

import { sessionCookieName } from "./cookies.js";
import { amrOf, type LiveSession } from "./service.js";

const bearer = [{ bearer: [] }];

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

/**
 * Header values carry only printable ASCII: user data (an external id, an email) has every other
 * character, and `%`, percent-encoded as UTF-8 (RFC 3986), so `decodeURIComponent` gives the value
 * back exactly, characters outside the Basic Multilingual Plane included.
 */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must not reach a header
  return value.replace(/[%\u{0}-\u{1f}\u{7f}-\u{10ffff}]/gu, (c) => encodeURIComponent(c));
}

/** Each cached session's forward-auth headers, built on its first check (the view is reused). */
const builtHeaders = new WeakMap<LiveSession, Record<string, string>>();

function verifyHeaders(session: LiveSession): Record<string, string> {
  let headers = builtHeaders.get(session);
  if (headers === undefined) {
    headers = {
      "x-handoff-user": session.userId,
      "x-handoff-external-id": headerSafe(session.externalId),
      "x-handoff-partner": session.accountId,
      "x-handoff-app": session.appId,
      "x-handoff-auth-methods": amrOf(session).join(" "),
    };
    if (session.accountId !== session.partnerId) {
      headers["x-handoff-parent-partner"] = session.partnerId;
    }
    if (session.email !== null) headers["x-handoff-email"] = headerSafe(session.email);
    builtHeaders.set(session, headers);
  }
  return headers;
}

export function introspection(
  services: Deps,
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
    otp: session.otp && {
      mode: session.otp.mode,
      verified_at: new Date(session.otp.verifiedAt).toISOString(),
      ...(session.otp.alternateEmail ? { alternate_email: session.otp.alternateEmail } : {}),
    },
    context: session.context,
    partner_data: services.sessions.partnerData(session, withAuthToken),
  };
}

export async function sessionRoutes(fastify: FastifyInstance, services: Deps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = sessionCookieName(services.config);

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
      // Only a cookie that is not ours (a guessed secret, a malformed one) counts as a failed
      // attempt (past the allowance: 429): an ended or expired session's cookie is ordinary, and
      // a live one is always served, whatever else came through the same proxy.
      const { session, forged } = await services.sessions.inspect(request.cookies[cookieName]);
      if (forged) await services.redeemFailures.fail(clientIp(request), request.log);
      if (!session) throw new HandoffError("no_session");
      if (request.query.app !== undefined && request.query.app !== session.appId) {
        throw new HandoffError("session_for_other_app");
      }
      return reply.headers(verifyHeaders(session)).code(200).send("");
    },
  );

  app.post(
    "/v1/sessions/introspect",
    {
      schema: {
        tags: ["apps"],
        summary: "Session introspection for an app's backend (RFC 7662 style)",
        security: [{ appBasic: [] }],
        // RFC 7662 posts a form; JSON is accepted as well.
        consumes: ["application/x-www-form-urlencoded", "application/json"],
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
