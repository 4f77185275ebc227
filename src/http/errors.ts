// Every failure Handoff can answer, in one place: the API's error codes (docs/errors.md), the
// reasons a login link or an app's sign-in fails, with the page the person sees (docs/sso.md),
// and the OAuth 2 errors of seed 000's token endpoint (docs/compat/enkash.md). A test keeps each
// table in step with its document.

export const errorCatalogue = {
  invalid_request: { status: 400, title: "The request is malformed or has invalid fields." },
  invalid_json: {
    status: 400,
    title: "The body is not valid JSON (or holds a __proto__ or constructor key).",
  },
  payload_too_large: { status: 413, title: "The body is larger than the limit." },
  unsupported_media_type: { status: 415, title: "The Content-Type is not accepted here." },
  not_found: { status: 404, title: "Nothing is here." },
  method_not_allowed: {
    status: 405,
    title: "This address does not answer this method; Allow lists those it does.",
  },
  user_exists: { status: 409, title: "A user with this username already exists." },
  rate_limited: { status: 429, title: "Too many failed attempts; wait and try again." },
  quota_exceeded: {
    status: 429,
    title:
      "The partner's login links per minute, or the user's unused ones, are used up; retry after Retry-After.",
  },
  missing_credentials: { status: 400, title: "Both partner_token and api_token are required." },
  invalid_partner_token: {
    status: 401,
    title: "The partner token is wrong, unknown or rotated out.",
  },
  invalid_api_token: { status: 401, title: "The API token is wrong, unknown or revoked." },
  api_token_expired: { status: 401, title: "The API token has expired; create a new one." },
  credentials_mismatch: { status: 401, title: "The API token does not belong to this partner." },
  account_expired: { status: 403, title: "The partner's contract has expired." },
  account_inactive: { status: 403, title: "The partner account is suspended." },
  invalid_token: {
    status: 401,
    title: "The access token is missing, malformed, expired or revoked.",
  },
  unknown_app: { status: 400, title: "The app named in the request is not registered." },
  invalid_return_to: {
    status: 400,
    title: "return_to is not a path under one of the app's allowed return paths.",
  },
  not_linked: {
    status: 403,
    title: "on_behalf_of does not name an active sub-account linked to the caller.",
  },
  invalid_sso_key: { status: 401, title: "The SSO key is wrong, unknown or rotated out." },
  invalid_client: { status: 401, title: "The app id or app secret is wrong." },
  no_session: { status: 401, title: "No live session: the cookie is missing, ended or expired." },
  session_for_other_app: {
    status: 403,
    title:
      "The session is live, but for another app: open this app through a login link made for it.",
  },
  invalid_credentials: {
    status: 401,
    title: "The login or password is wrong (or the partner id, for a partner user).",
  },
  account_locked: {
    status: 403,
    title: "Too many wrong passwords in a row: the account is locked until Retry-After.",
  },
  no_console_session: {
    status: 401,
    title: "Sign in to the console first: the console session is missing, ended or expired.",
  },
  second_factor_required: {
    status: 401,
    title:
      "Give the code from your authenticator app first (or enrol one: operators must, where the platform requires it).",
  },
  forbidden: {
    status: 403,
    title: "Your role may not do this (operators only, or a viewer changing something).",
  },
  csrf_failed: {
    status: 403,
    title:
      "The request did not prove it came from the console: the CSRF token is missing or wrong, or it came from another site.",
  },
  idempotency_key_required: {
    status: 400,
    title: "Money-moving call-backs (debit, refund) need an Idempotency-Key header.",
  },
  idempotency_conflict: {
    status: 409,
    title:
      "This Idempotency-Key was used with another request, or its first call is still in progress.",
  },
  no_callback: { status: 404, title: "The partner has registered no endpoint for this call-back." },
  partner_error: {
    status: 502,
    title:
      "The partner's endpoint failed (5xx) or could not be reached; partner_status says which.",
  },
  partner_timeout: { status: 504, title: "The partner's endpoint did not answer in its time." },
  service_unavailable: {
    status: 503,
    title: "The service cannot reach its database; retry shortly.",
  },
  internal_error: { status: 500, title: "Something went wrong on our side." },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** A failure with a stable public code. `detail` reaches the client; `cause` never does. */
export class HandoffError extends Error {
  override name = "HandoffError";
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(
      detail ?? errorCatalogue[code].title,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = errorCatalogue[code].status;
    this.headers = options?.headers ?? {};
  }

  readonly headers: Record<string, string>;

  /** The same error asking for credentials (RFC 7235 §4.1): `WWW-Authenticate: <challenge>`. */
  challenging(challenge: string): HandoffError {
    return new HandoffError(this.code, this.detail, {
      cause: this.cause,
      headers: { ...this.headers, "www-authenticate": challenge },
    });
  }
}

/**
 * Why a login link (or an app's sign-in) did not work: the status of the page the person sees and
 * what it says. The first seven are ticket reasons, recorded on the ticket for its partner.
 */
export const pageFailureCatalogue = {
  expired: {
    status: 410,
    title: "This link has expired",
    text: "Login links work for a short time only.",
  },
  already_used: {
    status: 410,
    title: "This link has already been used",
    text: "Each login link works once. If it was not you who used it, tell the site that sent it.",
  },
  revoked: {
    status: 410,
    title: "This link was withdrawn",
    text: "The site that sent it has cancelled it.",
  },
  ip_mismatch: {
    status: 403,
    title: "This link cannot be used from here",
    text: "It was issued for another network connection than the one you are on.",
  },
  otp_failed: {
    status: 403,
    title: "This link cannot be used any more",
    text: "The one-time code was entered wrongly too many times.",
  },
  partner_inactive: {
    status: 403,
    title: "This link cannot be used any more",
    text: "The account it belongs to is not active.",
  },
  not_found: {
    status: 404,
    title: "This link is not valid",
    text: "Check that you opened the whole link.",
  },
  cross_site: {
    status: 403,
    title: "Please open the link again",
    text: "The sign-in was started from another site, so it was stopped to protect you.",
  },
  rate_limited: {
    status: 429,
    title: "Too many attempts",
    text: "Wait a minute, then open the link again.",
  },
  unavailable: {
    status: 503,
    title: "Please try again in a moment",
    text: "The service is busy. Your link has not been used; open it again shortly.",
  },
  no_session: {
    status: 401,
    title: "Open this app from your partner's site",
    text: "You are not signed in to this app. Sign-in happens through the login link your partner's site gives you.",
  },
  step_expired: {
    status: 400,
    title: "Open this app from your partner's site",
    text: "This sign-in step has expired or was opened in another browser.",
  },
} as const satisfies Record<string, { status: number; title: string; text: string }>;

export type PageFailure = keyof typeof pageFailureCatalogue;

/** The reasons a ticket records when its redemption is refused. */
export const TICKET_FAILURES = [
  "expired",
  "already_used",
  "revoked",
  "ip_mismatch",
  "otp_failed",
  "partner_inactive",
  "not_found",
] as const satisfies readonly PageFailure[];

export type TicketFailure = (typeof TICKET_FAILURES)[number];

/** OAuth 2 errors (RFC 6749 §5.2) of seed 000's token endpoint, with their HTTP status. */
export const oauthErrorCatalogue = {
  invalid_request: { status: 400 },
  invalid_client: { status: 401 },
  invalid_grant: { status: 400 },
  unsupported_grant_type: { status: 400 },
  temporarily_unavailable: { status: 429 },
  server_error: { status: 500 },
} as const satisfies Record<string, { status: number }>;

export type OAuthErrorCode = keyof typeof oauthErrorCatalogue;

/** An OAuth 2 error in the token endpoint's own shape; the status comes from the catalogue. */
export class OAuthError extends Error {
  override name = "OAuthError";
  readonly status: number;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.status = oauthErrorCatalogue[error].status;
  }
}
