// The tables of signing in: operators, partner users, console sessions and TOTP, OIDC tokens.
import type { Generated } from "kysely";

export interface OperatorTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  /** Wrong passwords in a row at the console's sign-in; the third locks the operator. */
  failed_attempts: Generated<number>;
  locked_until: number | null;
}

export interface PartnerUserTable {
  id: string;
  partner_id: string;
  /** The login in canonical form: an email (NFC, ASCII lower case) or a mobile number's digits. */
  login: string;
  password_hash: string;
  /** Wrong passwords in a row; the third locks the user. */
  failed_attempts: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
  /** In the console: "admin" manages the partner's credentials and users, "viewer" reads. */
  role: Generated<PartnerUserRole>;
}

export type PartnerUserRole = "admin" | "viewer";

/** A signed-in console user (an operator or a partner user); separate from SSO sessions. */
export interface ConsoleSessionTable {
  /** The id part of the `hcs_` secret. */
  id: string;
  secret_hash: string;
  operator_id: string | null;
  partner_user_id: string | null;
  created_at: number;
  /** The idle limit counts from here (touched at most once a minute). */
  last_seen_at: number;
  /** The absolute limit. */
  expires_at: number;
  ended_at: number | null;
  /** 1 while the person's TOTP code is still owed: the session opens nothing else. */
  totp_pending: Generated<number>;
  /** Wrong TOTP codes this session has seen; the fifth ends it. */
  totp_failures: Generated<number>;
}

/** A console user's second factor (RFC 6238 TOTP). */
export interface ConsoleTotpTable {
  /** The operator's or partner user's id. */
  person_id: string;
  /** The base32 secret, AES-256-GCM sealed. */
  secret_sealed: string;
  created_at: number;
  /** Null until the first code confirms the enrolment. */
  enabled_at: number | null;
  /** The time step of the last code used: a code works once. */
  last_step: number | null;
  /** JSON array of SHA-256 hashes of the unused recovery codes. */
  recovery_hashes: Generated<string>;
}

export interface RefreshTokenTable {
  /** The id part of the `hrt_` secret. */
  id: string;
  secret_hash: string;
  /** Every rotation of one login shares a family; reuse of a used token revokes the family. */
  family_id: string;
  partner_user_id: string;
  partner_token_id: string;
  /** The company (`clientId`) the login was for: the partner or a linked sub-account. */
  account_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** What oidc-provider persists (sessions, codes, tokens, grants, interactions), one row each. */
export interface OidcModelTable {
  model: string;
  id: string;
  /** The artefact's JSON payload, as oidc-provider hands it over. */
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** The Handoff session behind an OIDC grant: claims and lifetime come from it. */
export interface OidcGrantSessionTable {
  grant_id: string;
  session_id: string;
  expires_at: number;
  /** The client the grant is for; null for grants made before migration 0017. */
  client_id: string | null;
  /** The `sid` the client's ID tokens carry (back-channel logout); null: none issued. */
  sid: string | null;
}

/** One Logout Token to send to one client for one ended session (OIDC Back-Channel Logout). */
export interface OidcLogoutDeliveryTable {
  /** `bcl_…`: also the logout token's jti, the same on every try. */
  id: string;
  session_id: string;
  client_id: string;
  sub: string;
  /** "" when the client's ID tokens carried no sid. */
  sid: string;
  state: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  next_attempt_at: number;
  claimed_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** A SAML app a Handoff session signed in to, as it was told (front-channel single logout). */
export interface SamlSessionTable {
  session_id: string;
  app_id: string;
  /** The NameID the app was given, in `name_id_format`. */
  name_id: string;
  name_id_format: "persistent" | "email";
  /** The AuthnStatement's SessionIndex (src/saml/idp.ts sessionIndex). */
  session_index: string;
  signed_in_at: number;
  /** The session's absolute limit; the row is pruned after it. */
  expires_at: number;
}

/**
 * One LogoutRequest to send by SOAP to one SAML app for one ended session (back-channel single
 * logout): whom and which session to name, copied from saml_sessions when the session ended.
 */
export interface SamlLogoutDeliveryTable {
  /** `sld_…` */
  id: string;
  session_id: string;
  app_id: string;
  name_id: string;
  name_id_format: "persistent" | "email";
  session_index: string;
  state: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  next_attempt_at: number;
  claimed_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}
