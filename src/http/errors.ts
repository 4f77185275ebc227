// Every error code Handoff returns: its HTTP status and what it tells the client.
// docs/errors.md lists the same codes; a test keeps the two in step.

export const errorCatalogue = {
  invalid_request: { status: 400, title: "The request is malformed or has invalid fields." },
  invalid_json: {
    status: 400,
    title: "The body is not valid JSON (or holds a __proto__ or constructor key).",
  },
  payload_too_large: { status: 413, title: "The body is larger than the limit." },
  unsupported_media_type: { status: 415, title: "The Content-Type is not accepted here." },
  not_found: { status: 404, title: "Nothing is here." },
  user_exists: { status: 409, title: "A user with this username already exists." },
  rate_limited: { status: 429, title: "Too many failed attempts; wait and try again." },
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
}
