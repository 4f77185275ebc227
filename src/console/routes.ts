// The management API (`/v1/manage/…`): JSON over the console session, for operators and partner
// admins. The console's pages call the same Management methods; so does nothing else (the CLI
// calls the domain services under them).
import {
  type Static,
  type TSchema,
  Type,
  type TypeBoxTypeProvider,
} from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type App, type AppChanges, appView } from "../apps/service.js";
import type { AuditRow } from "../audit/store.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import { ProblemSchema } from "../http/schemas.js";
import type { PublicApiToken } from "../partners/service.js";
import type { Partner } from "../partners/store.js";
import type { Services } from "../services.js";
import {
  clearConsoleCookie,
  consoleSession,
  requireConsole,
  requireConsoleChange,
  sameOrigin,
  setConsoleCookie,
} from "./http.js";
import type { PartnerView } from "./management.js";
import type { ConsoleSession, Viewer } from "./service.js";

type Deps = Pick<Services, "config" | "consoleAuth" | "consoleFailures" | "management">;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const DateTime = Type.String({ format: "date-time" });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Problems = { "4xx": ProblemSchema };
const NoContent = { 204: Type.Null({ description: "Done" }), ...Problems };

const ViewerSchema = Type.Object({
  kind: Type.Union([Type.Literal("operator"), Type.Literal("partner_user")]),
  id: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal("operator"), Type.Literal("admin"), Type.Literal("viewer")]),
  partner_id: Nullable(Type.String()),
});
const Me = Type.Object({
  viewer: ViewerSchema,
  csrf_token: Type.String(),
  pending: Nullable(
    Type.Union([Type.Literal("totp"), Type.Literal("enrol")], {
      description:
        "What the session owes before it opens the console: a TOTP code, or an enrolment",
    }),
  ),
});

const PartnerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  contract_expires_at: Nullable(DateTime),
  created_at: DateTime,
  sub_accounts: Type.Optional(Type.Array(Type.String())),
});
const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: DateTime,
  expires_at: Nullable(DateTime),
  last_used_at: Nullable(DateTime),
  revoked_at: Nullable(DateTime),
});
const PartnerUserSchema = Type.Object({
  id: Type.String(),
  login: Type.String(),
  role: Type.String(),
  locked_until: Nullable(DateTime),
  created_at: DateTime,
});
const TicketSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  reason: Nullable(Type.String()),
  user_id: Type.String(),
  app: Type.String(),
  account_id: Type.String(),
  created_at: DateTime,
  expires_at: DateTime,
  redeemed_at: Nullable(DateTime),
  revoked_at: Nullable(DateTime),
  rejected_at: Nullable(DateTime),
  last_failure: Nullable(Type.Object({ reason: Type.String(), at: DateTime })),
});
const AuditSchema = Type.Object({
  id: Type.String(),
  at: DateTime,
  actor: Type.String(),
  action: Type.String(),
  partner_id: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  outcome: Type.String(),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
const AppSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  return_paths: Type.Array(Type.String()),
  products: Type.Array(Type.String()),
  ticket_ttl: Type.Integer(),
  ticket_ttl_max: Type.Integer(),
  session_idle: Type.Integer(),
  session_absolute: Type.Integer(),
  failure_url: Nullable(Type.String()),
  ip_binding: Type.String(),
  sees_auth_token: Type.Boolean(),
  has_secret: Type.Boolean(),
  oidc_redirect_uris: Type.Array(Type.String()),
  oidc_post_logout_redirect_uris: Type.Array(Type.String()),
  oidc_refresh_tokens: Type.Boolean(),
  oidc_pkce_required: Type.Boolean(),
});
const AppInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    return_paths: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 }),
    products: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 }),
    ticket_ttl: Type.Integer({ minimum: 1 }),
    ticket_ttl_max: Type.Integer({ minimum: 1 }),
    session_idle: Type.Integer({ minimum: 1 }),
    session_absolute: Type.Integer({ minimum: 1 }),
    failure_url: Nullable(Type.String({ maxLength: 2048 })),
    ip_binding: Type.Union([Type.Literal("exact"), Type.Literal("prefix")]),
    sees_auth_token: Type.Boolean(),
    oidc_redirect_uris: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 }),
    oidc_post_logout_redirect_uris: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 }),
    oidc_refresh_tokens: Type.Boolean(),
    oidc_pkce_required: Type.Boolean(),
  },
  { additionalProperties: false },
);
const Paging = {
  before: Type.Optional(DateTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

export function viewerJson(viewer: Viewer) {
  return {
    kind: viewer.kind,
    id: viewer.id,
    name: viewer.name,
    role: viewer.role,
    partner_id: viewer.kind === "partner_user" ? viewer.partnerId : null,
  };
}

const meJson = (session: ConsoleSession) => ({
  viewer: viewerJson(session.viewer),
  csrf_token: session.csrf,
  pending: session.pending,
});

const partnerJson = (p: Partner | PartnerView) => ({
  id: p.id,
  name: p.name,
  status: p.status,
  contract_expires_at: iso(p.contract_expires_at),
  created_at: new Date(p.created_at).toISOString(),
  ...("sub_accounts" in p ? { sub_accounts: p.sub_accounts } : {}),
});

export const apiTokenJson = (t: PublicApiToken) => ({
  id: t.id,
  name: t.name,
  created_at: new Date(t.created_at).toISOString(),
  expires_at: iso(t.expires_at),
  last_used_at: iso(t.last_used_at),
  revoked_at: iso(t.revoked_at),
});

export const auditJson = (row: AuditRow) => ({
  id: row.id,
  at: new Date(row.at).toISOString(),
  actor: row.actor,
  action: row.action,
  partner_id: row.partner_id,
  subject: row.subject,
  ip: row.ip,
  outcome: row.outcome,
  detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
});

/** A date-time query value as milliseconds; invalid_request when it is not one. */
function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HandoffError("invalid_request", `${name} is not a date-time`);
  return ms;
}

function appChanges(body: Partial<Static<typeof AppInput>>): AppChanges {
  const out: AppChanges = {};
  if (body.name !== undefined) out.name = body.name;
  if (body.url !== undefined) out.baseUrl = body.url;
  if (body.return_paths !== undefined) out.returnPaths = body.return_paths;
  if (body.products !== undefined) out.products = body.products;
  if (body.ticket_ttl !== undefined) out.ticketTtlDefault = body.ticket_ttl;
  if (body.ticket_ttl_max !== undefined) out.ticketTtlMax = body.ticket_ttl_max;
  if (body.session_idle !== undefined) out.sessionIdleSeconds = body.session_idle;
  if (body.session_absolute !== undefined) out.sessionAbsoluteSeconds = body.session_absolute;
  if (body.failure_url !== undefined) out.failureUrl = body.failure_url;
  if (body.ip_binding !== undefined) out.ipBinding = body.ip_binding;
  if (body.sees_auth_token !== undefined) out.seesAuthToken = body.sees_auth_token;
  if (body.oidc_redirect_uris !== undefined) out.redirectUris = body.oidc_redirect_uris;
  if (body.oidc_post_logout_redirect_uris !== undefined) {
    out.postLogoutRedirectUris = body.oidc_post_logout_redirect_uris;
  }
  if (body.oidc_refresh_tokens !== undefined) out.refreshTokens = body.oidc_refresh_tokens;
  if (body.oidc_pkce_required !== undefined) out.pkceRequired = body.oidc_pkce_required;
  return out;
}

const appJson = (app: App) => appView(app);

/** Signs in with a password; shared by the API and the sign-in page. Counts failures per IP. */
export async function signIn(
  services: Deps,
  request: Parameters<typeof clientIp>[0],
  input: { login: string; password: string; partnerId?: string | undefined },
): Promise<{ token: string; session: ConsoleSession }> {
  // A sign-in form posted from another site would sign the victim in to the attacker's account.
  if (!sameOrigin(request, services.config.baseUrl)) throw new HandoffError("csrf_failed");
  const ip = clientIp(request);
  await services.consoleFailures.check(ip);
  try {
    const signedIn = await services.consoleAuth.signIn(input);
    // The session this browser had before, if any, ends: one person, one current session.
    const previous = await consoleSession(services, request);
    if (previous) await services.consoleAuth.signOut(previous.id);
    return signedIn;
  } catch (error) {
    if (error instanceof HandoffError) await services.consoleFailures.fail(ip, request.log);
    throw error;
  }
}

export function managementRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;
  const tags = ["management"];
  const security = [{ consoleCookie: [] }];
  const PartnerParams = Type.Object({ partnerId: Id });
  /** A change to one's own second factor: allowed while an enrolment is owed, not a code. */
  const requireEnrolment = async (request: FastifyRequest) => {
    const acting = await requireConsoleChange(services, request, undefined, { owing: true });
    if (acting.session.pending === "totp") throw new HandoffError("second_factor_required");
    return acting;
  };

  app.post(
    "/v1/manage/sign-in",
    {
      schema: {
        tags,
        summary: "Sign in to the console (an operator by email; a partner user with partner_id)",
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            partner_id: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Me, ...Problems },
      },
    },
    async (request, reply) => {
      const { token, session } = await signIn(services, request, {
        login: request.body.login,
        password: request.body.password,
        partnerId: request.body.partner_id,
      });
      setConsoleCookie(services, reply, token);
      return meJson(session);
    },
  );

  app.post(
    "/v1/manage/sign-out",
    { schema: { tags, security, summary: "End the console session", response: NoContent } },
    async (request, reply) => {
      const { session } = await requireConsoleChange(services, request, undefined, {
        owing: true,
      });
      await services.consoleAuth.signOut(session.id);
      clearConsoleCookie(services, reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/manage/me",
    {
      schema: {
        tags,
        security,
        summary: "Who is signed in, and the CSRF token changes must carry",
        response: { 200: Me, ...Problems },
      },
    },
    async (request) => meJson(await requireConsole(services, request, { owing: true })),
  );

  const Code = Type.Object(
    { code: Type.String({ minLength: 1, maxLength: 32 }) },
    { additionalProperties: false },
  );
  app.post(
    "/v1/manage/sign-in/totp",
    {
      schema: {
        tags,
        security,
        summary: "Give the TOTP code (or a recovery code) a sign-in owes; five wrong codes end it",
        body: Code,
        response: { 200: Me, ...Problems },
      },
    },
    async (request) => {
      const { session, ip } = await requireConsoleChange(services, request, undefined, {
        owing: true,
      });
      await services.consoleFailures.check(ip);
      try {
        await services.consoleAuth.giveCode(session, request.body.code);
      } catch (error) {
        await services.consoleFailures.fail(ip, request.log);
        throw error;
      }
      return meJson({ ...session, pending: null });
    },
  );

  app.post(
    "/v1/manage/me/totp",
    {
      schema: {
        tags,
        security,
        summary: "Start enrolling a TOTP second factor: the secret and its otpauth URI, shown once",
        response: {
          201: Type.Object({ otpauth_uri: Type.String(), secret: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const { session } = await requireEnrolment(request);
      const enrolment = await services.consoleAuth.totp.begin(
        session.viewer.id,
        session.viewer.name,
      );
      return reply.code(201).send({ otpauth_uri: enrolment.uri, secret: enrolment.secret });
    },
  );

  app.post(
    "/v1/manage/me/totp/confirm",
    {
      schema: {
        tags,
        security,
        summary: "Confirm the enrolment with a first code: ten recovery codes, shown once",
        body: Code,
        response: {
          200: Type.Object({ recovery_codes: Type.Array(Type.String()) }),
          ...Problems,
        },
      },
    },
    async (request) => {
      const { session } = await requireEnrolment(request);
      const codes = await services.consoleAuth.totp.confirm(session.viewer.id, request.body.code);
      return { recovery_codes: codes };
    },
  );

  app.post(
    "/v1/manage/me/totp/disable",
    {
      schema: {
        tags,
        security,
        summary: "Turn the second factor off (needs a current code)",
        body: Code,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const { session } = await requireConsoleChange(services, request);
      if (services.config.consoleRequire2fa && session.viewer.kind === "operator") {
        throw new HandoffError("forbidden", "operators must keep a second factor here");
      }
      await services.consoleAuth.totp.disable(session.viewer.id, request.body.code);
      return reply.code(204).send(null);
    },
  );

  // Partners

  app.get(
    "/v1/manage/partners",
    {
      schema: {
        tags,
        security,
        summary: "Partners this viewer may see (operators: all; partner users: theirs)",
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ partners: Type.Array(PartnerSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return {
        partners: (await management.listPartners(viewer, request.query.q)).map(partnerJson),
      };
    },
  );

  app.post(
    "/v1/manage/partners",
    {
      schema: {
        tags,
        security,
        summary: "Create a partner (operators); its partner token is shown once",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            contract_expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ partner: PartnerSchema, partner_token: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createPartner(acting, {
        name: request.body.name,
        contractExpiresAt:
          instant(request.body.contract_expires_at ?? undefined, "contract_expires_at") ?? null,
      });
      return reply
        .code(201)
        .send({ partner: partnerJson(created.partner), partner_token: created.partnerToken });
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId",
    {
      schema: {
        tags,
        security,
        summary: "One partner, with its sub-accounts",
        params: PartnerParams,
        response: { 200: PartnerSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return partnerJson(await management.getPartner(viewer, request.params.partnerId));
    },
  );

  app.patch(
    "/v1/manage/partners/:partnerId",
    {
      schema: {
        tags,
        security,
        summary: "Suspend or activate a partner, or set its contract expiry (operators)",
        params: PartnerParams,
        body: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal("active"), Type.Literal("suspended")])),
            contract_expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: { 200: PartnerSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      const { status, contract_expires_at: expiry } = request.body;
      return partnerJson(
        await management.updatePartner(acting, request.params.partnerId, {
          ...(status ? { status } : {}),
          ...(expiry !== undefined
            ? {
                contractExpiresAt:
                  expiry === null ? null : (instant(expiry, "contract_expires_at") ?? null),
              }
            : {}),
        }),
      );
    },
  );

  const SubAccountParams = Type.Object({ partnerId: Id, subAccountId: Id });
  app.put(
    "/v1/manage/partners/:partnerId/sub-accounts/:subAccountId",
    {
      schema: {
        tags,
        security,
        summary: "Let a partner act for a sub-account (operators)",
        params: SubAccountParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.linkSubAccount(
        acting,
        request.params.partnerId,
        request.params.subAccountId,
      );
      return reply.code(204).send(null);
    },
  );
  app.delete(
    "/v1/manage/partners/:partnerId/sub-accounts/:subAccountId",
    {
      schema: {
        tags,
        security,
        summary: "Take that right away (operators)",
        params: SubAccountParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.unlinkSubAccount(
        acting,
        request.params.partnerId,
        request.params.subAccountId,
      );
      return reply.code(204).send(null);
    },
  );

  // Credentials: the Token Management page's API

  app.post(
    "/v1/manage/partners/:partnerId/partner-token",
    {
      schema: {
        tags,
        security,
        summary: "Rotate the partner token; the old one works for the overlap. Shown once.",
        params: PartnerParams,
        body: Type.Optional(
          Type.Object(
            {
              overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 * 24 * 3600 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 201: Type.Object({ partner_token: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const token = await management.rotatePartnerToken(
        acting,
        request.params.partnerId,
        request.body?.overlap_seconds,
      );
      return reply.code(201).send({ partner_token: token });
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/sso-key",
    {
      schema: {
        tags,
        security,
        summary: "Issue a new SSO key (earlier keys stop at once). Shown once.",
        params: PartnerParams,
        response: { 201: Type.Object({ sso_key: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const key = await management.rotateSsoKey(acting, request.params.partnerId);
      return reply.code(201).send({ sso_key: key });
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId/api-tokens",
    {
      schema: {
        tags,
        security,
        summary: "The partner's API tokens (never their secrets)",
        params: PartnerParams,
        response: { 200: Type.Object({ api_tokens: Type.Array(ApiTokenSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const tokens = await management.listApiTokens(viewer, request.params.partnerId);
      return { api_tokens: tokens.map(apiTokenJson) };
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/api-tokens",
    {
      schema: {
        tags,
        security,
        summary: "Create an API token, with a name and an optional expiry. Shown once.",
        params: PartnerParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ api_token: ApiTokenSchema, token: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createApiToken(acting, request.params.partnerId, {
        name: request.body.name,
        expiresAt: instant(request.body.expires_at ?? undefined, "expires_at") ?? null,
      });
      return reply
        .code(201)
        .send({ api_token: apiTokenJson(created.apiToken), token: created.token });
    },
  );

  app.delete(
    "/v1/manage/partners/:partnerId/api-tokens/:tokenId",
    {
      schema: {
        tags,
        security,
        summary: "Revoke an API token: exchanges with it fail at once",
        params: Type.Object({ partnerId: Id, tokenId: Id }),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.revokeApiToken(acting, request.params.partnerId, request.params.tokenId);
      return reply.code(204).send(null);
    },
  );

  // Partner users

  app.get(
    "/v1/manage/partners/:partnerId/partner-users",
    {
      schema: {
        tags,
        security,
        summary: "The partner's users (the people who sign in to the console and seed 000)",
        params: PartnerParams,
        response: { 200: Type.Object({ users: Type.Array(PartnerUserSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const users = await management.listPartnerUsers(viewer, request.params.partnerId);
      return {
        users: users.map((u) => ({
          id: u.id,
          login: u.login,
          role: u.role,
          locked_until: iso(u.locked_until),
          created_at: new Date(u.created_at).toISOString(),
        })),
      };
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/partner-users",
    {
      schema: {
        tags,
        security,
        summary: "Create a partner user (an admin, or a viewer who only reads)",
        params: PartnerParams,
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            role: Type.Optional(Type.Union([Type.Literal("admin"), Type.Literal("viewer")])),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), login: Type.String(), role: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createPartnerUser(acting, request.params.partnerId, {
        login: request.body.login,
        password: request.body.password,
        ...(request.body.role ? { role: request.body.role } : {}),
      });
      return reply.code(201).send(created);
    },
  );

  const UserParams = Type.Object({ partnerId: Id, userId: Id });
  app.post(
    "/v1/manage/partners/:partnerId/partner-users/:userId/password",
    {
      schema: {
        tags,
        security,
        summary: "Set a partner user's password (ends their console sessions and refresh tokens)",
        params: UserParams,
        body: Type.Object(
          { password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.resetPartnerUserPassword(
        acting,
        request.params.partnerId,
        request.params.userId,
        request.body.password,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/partner-users/:userId/unlock",
    {
      schema: {
        tags,
        security,
        summary: "Unlock a partner user after too many wrong passwords",
        params: UserParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.unlockPartnerUser(acting, request.params.partnerId, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  // Activity

  // The partner's users (who sign in through login links): one ticket, and revoking access

  const TicketParams = Type.Object({ partnerId: Id, ticketId: Id });
  app.get(
    "/v1/manage/partners/:partnerId/tickets/:ticketId",
    {
      schema: {
        tags,
        security,
        summary: "One login link: what became of it and why",
        params: TicketParams,
        response: { 200: TicketSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return management.getTicket(viewer, request.params.partnerId, request.params.ticketId);
    },
  );

  app.delete(
    "/v1/manage/partners/:partnerId/tickets/:ticketId",
    {
      schema: {
        tags,
        security,
        summary: "Revoke an unused login link (a used or dead one is left as it is)",
        params: TicketParams,
        response: { 200: TicketSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      return management.revokeTicket(acting, request.params.partnerId, request.params.ticketId);
    },
  );

  for (const what of ["sessions", "tickets"] as const) {
    app.post(
      `/v1/manage/partners/:partnerId/users/:userId/${what}/revoke`,
      {
        schema: {
          tags,
          security,
          summary:
            what === "sessions"
              ? "End every live session of one of the partner's users"
              : "Revoke every unused login link of one of the partner's users",
          params: Type.Object({ partnerId: Id, userId: Id }),
          response: { 200: Type.Object({ count: Type.Integer() }), ...Problems },
        },
      },
      async (request) => {
        const acting = await requireConsoleChange(services, request);
        const { partnerId, userId } = request.params;
        return { count: await management.revokeUserAccess(acting, partnerId, userId, what) };
      },
    );
  }

  app.get(
    "/v1/manage/partners/:partnerId/tickets",
    {
      schema: {
        tags,
        security,
        summary: "The partner's newest login links, with what became of each and why",
        params: PartnerParams,
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ tickets: Type.Array(TicketSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const tickets = await management.listTickets(viewer, request.params.partnerId, {
        before: instant(request.query.before, "before"),
        limit: request.query.limit,
      });
      return { tickets };
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId/activity",
    {
      schema: {
        tags,
        security,
        summary: "The partner's audit entries: redemptions with their outcome, and changes",
        params: PartnerParams,
        querystring: Type.Object({
          ...Paging,
          action: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const rows = await management.activity(viewer, request.params.partnerId, {
        before: instant(request.query.before, "before"),
        limit: request.query.limit,
        action: request.query.action,
      });
      return { entries: rows.map(auditJson) };
    },
  );

  app.get(
    "/v1/manage/audit",
    {
      schema: {
        tags,
        security,
        summary: "The audit log, newest first (operators)",
        querystring: Type.Object({
          ...Paging,
          partner_id: Type.Optional(Type.String({ maxLength: 128 })),
          actor: Type.Optional(Type.String({ maxLength: 128 })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          since: Type.Optional(DateTime),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const q = request.query;
      const rows = await management.audit(viewer, {
        partnerId: q.partner_id,
        actor: q.actor,
        action: q.action,
        since: instant(q.since, "since"),
        before: instant(q.before, "before"),
        limit: q.limit,
      });
      return { entries: rows.map(auditJson) };
    },
  );

  // Apps and signing keys (operators)

  app.get(
    "/v1/manage/apps",
    {
      schema: {
        tags,
        security,
        summary: "The platform's apps (operators)",
        response: { 200: Type.Object({ apps: Type.Array(AppSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return { apps: (await management.listApps(viewer)).map(appJson) };
    },
  );

  app.post(
    "/v1/manage/apps",
    {
      schema: {
        tags,
        security,
        summary: "Register an app (operators)",
        body: Type.Intersect([
          Type.Pick(AppInput, ["name", "url"]),
          Type.Partial(Type.Omit(AppInput, ["name", "url"])),
        ]),
        response: { 201: AppSchema, ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const changes = appChanges(request.body);
      const created = await management.createApp(acting, {
        ...changes,
        name: request.body.name,
        baseUrl: request.body.url,
      });
      return reply.code(201).send(appJson(created));
    },
  );

  const AppParams = Type.Object({ appId: Id });
  app.get(
    "/v1/manage/apps/:appId",
    {
      schema: {
        tags,
        security,
        summary: "One app (operators)",
        params: AppParams,
        response: { 200: AppSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return appJson(await management.getApp(viewer, request.params.appId));
    },
  );

  app.patch(
    "/v1/manage/apps/:appId",
    {
      schema: {
        tags,
        security,
        summary: "Change an app's settings (operators)",
        params: AppParams,
        body: Type.Partial(AppInput),
        response: { 200: AppSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      return appJson(
        await management.updateApp(acting, request.params.appId, appChanges(request.body)),
      );
    },
  );

  app.post(
    "/v1/manage/apps/:appId/secret",
    {
      schema: {
        tags,
        security,
        summary: "Issue a new app secret (the old one stops at once). Shown once.",
        params: AppParams,
        response: { 201: Type.Object({ app_secret: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const secret = await management.rotateAppSecret(acting, request.params.appId);
      return reply.code(201).send({ app_secret: secret });
    },
  );

  const KeySchema = Type.Object({
    kid: Type.String(),
    alg: Type.String(),
    created_at: DateTime,
    retire_at: Nullable(DateTime),
  });
  app.get(
    "/v1/manage/keys",
    {
      schema: {
        tags,
        security,
        summary: "The live signing keys (operators; never a private part)",
        response: { 200: Type.Object({ keys: Type.Array(KeySchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return {
        keys: management.listKeys(viewer).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          created_at: new Date(k.created_at).toISOString(),
          retire_at: iso(k.retire_at),
        })),
      };
    },
  );

  app.post(
    "/v1/manage/keys",
    {
      schema: {
        tags,
        security,
        summary: "Rotate the signing keys (operators)",
        response: { 201: Type.Object({ kid: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      return reply.code(201).send({ kid: await management.rotateKeys(acting) });
    },
  );

  app.delete(
    "/v1/manage/keys/:kid",
    {
      schema: {
        tags,
        security,
        summary: "Revoke a signing key at once (operators; an emergency)",
        params: Type.Object({ kid: Id }),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.revokeKey(acting, request.params.kid);
      return reply.code(204).send(null);
    },
  );
}
