// The management API's schemas (TypeBox: validation and OpenAPI from one source) and the JSON
// each object is answered with.

import { type Static, type TSchema, Type } from "@fastify/type-provider-typebox";
import { type App, type AppChanges, appView } from "../../apps/service.js";
import type { AuditRow } from "../../audit/store.js";
import { HandoffError } from "../../http/errors.js";
import { ProblemSchema } from "../../http/schemas.js";
import type { PublicApiToken } from "../../partners/service.js";
import type { Partner } from "../../partners/store.js";
import { samlSettingsFromMetadata } from "../../saml/settings.js";
import type { PartnerView } from "../management.js";
import type { ConsoleSession, Viewer } from "../signin/service.js";

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const DateTime = Type.String({ format: "date-time" });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 128 });
export const Problems = { "4xx": ProblemSchema };
export const NoContent = { 204: Type.Null({ description: "Done" }), ...Problems };

export const ViewerSchema = Type.Object({
  kind: Type.Union([Type.Literal("operator"), Type.Literal("partner_user")]),
  id: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal("operator"), Type.Literal("admin"), Type.Literal("viewer")]),
  partner_id: Nullable(Type.String()),
});
export const Me = Type.Object({
  viewer: ViewerSchema,
  csrf_token: Type.String(),
  pending: Nullable(
    Type.Union([Type.Literal("totp"), Type.Literal("enrol")], {
      description:
        "What the session owes before it opens the console: a TOTP code, or an enrolment",
    }),
  ),
});

export const PartnerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  contract_expires_at: Nullable(DateTime),
  created_at: DateTime,
  sub_accounts: Type.Optional(Type.Array(Type.String())),
});
export const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: DateTime,
  expires_at: Nullable(DateTime),
  last_used_at: Nullable(DateTime),
  revoked_at: Nullable(DateTime),
});
export const PartnerUserSchema = Type.Object({
  id: Type.String(),
  login: Type.String(),
  role: Type.String(),
  locked_until: Nullable(DateTime),
  created_at: DateTime,
});
export const TicketSchema = Type.Object({
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
export const AuditSchema = Type.Object({
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
export const AppSchema = Type.Object({
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
  oidc_backchannel_logout_uri: Nullable(Type.String()),
  oidc_frontchannel_logout_uri: Nullable(Type.String()),
  saml: Nullable(
    Type.Object({
      entity_id: Type.String(),
      acs_urls: Type.Array(Type.String()),
      name_id_format: Type.String(),
      certificate: Nullable(Type.String()),
      /** PEM: assertions are encrypted for its key (docs/saml.md). */
      encryption_certificate: Nullable(Type.String()),
      slo_url: Nullable(Type.String()),
      /** How Handoff's own LogoutRequests reach slo_url (front-channel logout). */
      slo_binding: Type.Union([Type.Literal("redirect"), Type.Literal("post")]),
      /** The SOAP logout URL: told of every end of a session, server to server (docs/saml.md). */
      slo_soap_url: Nullable(Type.String()),
    }),
  ),
  sign_in_group: Nullable(Type.String()),
});
const SamlInput = Type.Object(
  {
    entity_id: Type.String({ minLength: 1, maxLength: 1024 }),
    acs_urls: Type.Array(Type.String({ maxLength: 2048 }), { minItems: 1, maxItems: 10 }),
    name_id_format: Type.Optional(Type.Union([Type.Literal("persistent"), Type.Literal("email")])),
    certificate: Type.Optional(Nullable(Type.String({ maxLength: 16_384 }))),
    /** PEM, RSA of 2048 bits or more: the SP's assertions are encrypted for it. */
    encryption_certificate: Type.Optional(Nullable(Type.String({ maxLength: 16_384 }))),
    slo_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    slo_binding: Type.Optional(Type.Union([Type.Literal("redirect"), Type.Literal("post")])),
    slo_soap_url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
  },
  { additionalProperties: false },
);
export const AppInput = Type.Object(
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
    /** OIDC Back-Channel Logout: https, a public address (docs/oidc.md); null removes it. */
    oidc_backchannel_logout_uri: Nullable(Type.String({ maxLength: 2048 })),
    /** OIDC Front-Channel Logout: https, on a redirect URI's origin (docs/oidc.md); null removes it. */
    oidc_frontchannel_logout_uri: Nullable(Type.String({ maxLength: 2048 })),
    saml: Nullable(SamlInput),
    /** SP metadata XML: read into `saml` (an alternative to giving its fields). */
    saml_metadata: Type.String({ maxLength: 256 * 1024 }),
    sign_in_group: Nullable(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export const Paging = {
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

export const meJson = (session: ConsoleSession) => ({
  viewer: viewerJson(session.viewer),
  csrf_token: session.csrf,
  pending: session.pending,
});

export const partnerJson = (p: Partner | PartnerView) => ({
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
export function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HandoffError("invalid_request", `${name} is not a date-time`);
  return ms;
}

export function appChanges(body: Partial<Static<typeof AppInput>>): AppChanges {
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
  if (body.oidc_backchannel_logout_uri !== undefined) {
    out.backchannelLogoutUri = body.oidc_backchannel_logout_uri;
  }
  if (body.oidc_frontchannel_logout_uri !== undefined) {
    out.frontchannelLogoutUri = body.oidc_frontchannel_logout_uri;
  }
  if (body.saml_metadata !== undefined) out.saml = samlSettingsFromMetadata(body.saml_metadata);
  else if (body.saml !== undefined) {
    out.saml = body.saml && {
      entityId: body.saml.entity_id,
      acsUrls: body.saml.acs_urls,
      nameIdFormat: body.saml.name_id_format ?? "persistent",
      certificate: body.saml.certificate ?? null,
      encryptionCertificate: body.saml.encryption_certificate ?? null,
      sloUrl: body.saml.slo_url ?? null,
      sloBinding: body.saml.slo_binding ?? "redirect",
      sloSoapUrl: body.saml.slo_soap_url ?? null,
    };
  }
  if (body.sign_in_group !== undefined) out.signInGroup = body.sign_in_group;
  return out;
}

export const appJson = (app: App) => appView(app);

export const tags = ["management"];
export const security = [{ consoleCookie: [] }];
export const PartnerParams = Type.Object({ partnerId: Id });
