// Table types shared by every dialect. Times are epoch milliseconds (bigint columns).
import type { Generated } from "kysely";
import type {
  CallbackCallTable,
  PartnerCallbackTable,
  SamlKeyTable,
  SamlRequestTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
  WebhookEventTable,
} from "./schema-integrations.js";
import type {
  ConsoleSessionTable,
  ConsoleTotpTable,
  OidcGrantSessionTable,
  OidcLogoutDeliveryTable,
  OidcModelTable,
  OperatorTable,
  PartnerUserTable,
  RefreshTokenTable,
  SamlLogoutDeliveryTable,
  SamlSessionTable,
} from "./schema-sign-in.js";

export interface PartnerTable {
  id: string;
  name: string;
  status: "active" | "suspended";
  contract_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PartnerLinkTable {
  parent_id: string;
  child_id: string;
  created_at: number;
}

/** Partner tokens, API tokens and SSO keys share one shape: an id that finds the row, a hash. */
export interface CredentialColumns {
  id: string;
  partner_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export type PartnerTokenTable = CredentialColumns;

export interface ApiTokenTable extends CredentialColumns {
  name: string;
  last_used_at: number | null;
}

export type SsoKeyTable = CredentialColumns;

export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** The private JWK, sealed with AES-256-GCM under the configured secret key. */
  private_jwk_sealed: string;
  created_at: number;
  /** After this time the key no longer verifies (set when a newer key takes over signing). */
  retire_at: number | null;
  revoked_at: number | null;
}

export interface AppTable {
  id: string;
  name: string;
  base_url: string;
  /** JSON array of allowed return-path prefixes. */
  return_paths: string;
  /** JSON array of product names that select this app in the legacy shapes (Banckle `product`). */
  products: string;
  ticket_ttl_default: number;
  ticket_ttl_max: number;
  session_idle_seconds: number;
  session_absolute_seconds: number;
  failure_url: string | null;
  created_at: number;
  updated_at: number;
  /** How a ticket's bind_ip is compared: the exact address, or its /24 (IPv4) or /64 (IPv6). */
  ip_binding: "exact" | "prefix";
  /** SHA-256 of the app's secret (introspection credentials); null until one is issued. */
  secret_hash: string | null;
  /** 1 when the app may see the partner's auth_token (to call the partner back). */
  sees_auth_token: number;
  /** JSON array: where the app's OpenID Connect client may receive codes; empty: no OIDC. */
  oidc_redirect_uris: string;
  /** JSON array: where RP-initiated logout may send the person afterwards. */
  oidc_post_logout_redirect_uris: string;
  /** 1 when the app's OIDC client receives refresh tokens. */
  oidc_refresh_tokens: number;
  /** 0: this confidential client may sign in without PKCE (a nonce is required instead). */
  oidc_pkce_required: number;
  /** Where the app's OIDC client receives Back-Channel Logout tokens; null: none sent. */
  oidc_backchannel_logout_uri: string | null;
  /** Where the browser loads the app's OIDC Front-Channel Logout page (an iframe); null: none. */
  oidc_frontchannel_logout_uri: string | null;
  /** JSON: the app as a SAML service provider (src/saml/settings.ts); null: no SAML. */
  saml: string | null;
  /** Apps of one sign-in group share a Handoff session (one partner's); null: none. */
  sign_in_group: string | null;
}

export interface UserTable {
  id: string;
  /** The partner (or sub-account) the user belongs to. */
  partner_id: string;
  /** The partner's own id for the user. */
  external_id: string;
  email: string | null;
  /** NFC, ASCII letters lower-cased: how emails are compared (never NFKC, which merges look-alikes). */
  email_canonical: string | null;
  phone_number: string | null;
  phone_country_code: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  created_at: number;
  updated_at: number;
}

export type TicketStatus = "issued" | "redeemed" | "revoked" | "rejected";

export interface TicketTable {
  /** The id part of the `hts_` secret. */
  id: string;
  secret_hash: string;
  /** The partner that minted the ticket. */
  partner_id: string;
  /** The account the user belongs to: the partner itself or a linked sub-account. */
  account_id: string;
  api_token_id: string | null;
  user_id: string;
  app_id: string;
  /** The path (and query) under the app's base URL to land on. */
  return_to: string;
  bind_ip: string | null;
  /** JSON: the email/phone field settings. */
  fields: string | null;
  otp: string;
  /** The partner data (JSON), AES-256-GCM sealed: it may hold the partner's auth_token. */
  partner_data_sealed: string | null;
  /** JSON: context a seed's shape carries into the session (for example Enkash's card id). */
  context: string | null;
  status: TicketStatus;
  reason: string | null;
  created_at: number;
  expires_at: number;
  finished_at: number | null;
  session_id: string | null;
  /** The last refused redemption attempt and when, for the partner's status view. */
  last_failure: string | null;
  last_failure_at: number | null;
  /** A session limit set by the shape that minted the ticket (BlueSnap: 30 minutes); null: the app's. */
  session_seconds: number | null;
}

export interface SessionTable {
  /** The id part of the `hss_` secret. */
  id: string;
  secret_hash: string;
  user_id: string;
  partner_id: string;
  account_id: string;
  app_id: string;
  ticket_id: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute limit; the idle limit is last_seen_at + the app's idle seconds. */
  expires_at: number;
  ended_at: number | null;
  end_reason: string | null;
  /** The one-time-code mode the person passed at sign-in (null: none asked). */
  otp_mode: string | null;
  otp_verified_at: number | null;
}

export interface AuditTable {
  id: string;
  at: number;
  /** Who acted: a partner id, "browser", "operator" or "system". */
  actor: string;
  action: string;
  partner_id: string | null;
  /** What was acted on: a ticket, session or user id (never a secret). */
  subject: string | null;
  ip: string | null;
  /** "ok" or a reason code. */
  outcome: string;
  detail: string | null;
}

/** The one-time code a ticket owes before it redeems (tickets with `otp` other than "none"). */
export interface TicketOtpTable {
  ticket_id: string;
  /** Where codes go: the ticket's email, or the alternate address the person typed. */
  destination: string;
  /** SHA-256 of the current code; null once given (or before the first send). */
  code_hash: string | null;
  code_expires_at: number | null;
  sends: Generated<number>;
  last_sent_at: number | null;
  /** Wrong codes so far; the fifth rejects the ticket (otp_failed). */
  failures: Generated<number>;
  /** The outbox message of the last send, so the step can say whether it went out. */
  outbox_id: string | null;
}

/** Messages to deliver (email now), written in the transaction that makes them. */
export interface OutboxTable {
  id: string;
  kind: string;
  /** The message (recipient, subject, bodies) as sealed JSON: it may hold a code. */
  message_sealed: string;
  created_at: number;
  next_attempt_at: number;
  attempts: Generated<number>;
  /** A worker holds it until then; another may take it after (a crashed worker's). */
  claimed_until: number | null;
  sent_at: number | null;
  failed_at: number | null;
  last_error: string | null;
}

/** SQLite's change log: what other processes must drop from their caches (src/db/changes.ts). */
export interface ChangeTable {
  seq: Generated<number>;
  at: number;
  topic: string;
  key: string | null;
}

/** One key's count in its current minute (failure budgets, allowances), shared by every node. */
export interface RateWindowTable {
  key: string;
  consumed: number;
  resets_at: number;
}

export type {
  CallbackCallTable,
  PartnerCallbackTable,
  SamlKeyTable,
  SamlRequestTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
  WebhookEventTable,
} from "./schema-integrations.js";
export type {
  ConsoleSessionTable,
  ConsoleTotpTable,
  OidcGrantSessionTable,
  OidcLogoutDeliveryTable,
  OidcModelTable,
  OperatorTable,
  PartnerUserRole,
  PartnerUserTable,
  RefreshTokenTable,
  SamlLogoutDeliveryTable,
  SamlSessionTable,
} from "./schema-sign-in.js";

export interface Tables {
  partners: PartnerTable;
  partner_links: PartnerLinkTable;
  partner_tokens: PartnerTokenTable;
  api_tokens: ApiTokenTable;
  sso_keys: SsoKeyTable;
  operators: OperatorTable;
  signing_keys: SigningKeyTable;
  apps: AppTable;
  users: UserTable;
  tickets: TicketTable;
  sessions: SessionTable;
  audit_log: AuditTable;
  partner_users: PartnerUserTable;
  refresh_tokens: RefreshTokenTable;
  oidc_models: OidcModelTable;
  oidc_grant_sessions: OidcGrantSessionTable;
  oidc_logout_deliveries: OidcLogoutDeliveryTable;
  changes: ChangeTable;
  rate_windows: RateWindowTable;
  console_sessions: ConsoleSessionTable;
  console_totp: ConsoleTotpTable;
  ticket_otp: TicketOtpTable;
  outbox: OutboxTable;
  saml_keys: SamlKeyTable;
  saml_requests: SamlRequestTable;
  saml_sessions: SamlSessionTable;
  saml_logout_deliveries: SamlLogoutDeliveryTable;
  partner_callbacks: PartnerCallbackTable;
  callback_calls: CallbackCallTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_events: WebhookEventTable;
  webhook_deliveries: WebhookDeliveryTable;
}
