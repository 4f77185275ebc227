// A typed client for Handoff's partner API: openapi-fetch over the types openapi-typescript
// generates from the server's OpenAPI document (src/schema.ts). It exchanges the partner's
// credentials for an access token on first use, sends it as the bearer on every call, and
// exchanges again shortly before it expires or when the server refuses it.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** A refusal in RFC 9457's shape, as Handoff's own API sends it (docs/errors.md). */
export type Problem =
  operations["postV1AuthToken"]["responses"]["4XX"]["content"]["application/problem+json"];

export interface HandoffClientOptions {
  /** Where Handoff is, e.g. `https://sso.platform.example` (its HANDOFF_BASE_URL). */
  baseUrl: string;
  /** The partner token and an API token: server-side secrets, never in a browser. */
  partnerToken: string;
  apiToken: string;
  /** Exchange again this long before the access token expires (default 60 s). */
  renewBeforeMs?: number;
  /** Another fetch (a test's, or one with a proxy agent). */
  fetch?: typeof globalThis.fetch;
}

export type HandoffClient = Client<paths>;

/** The exchange was refused: wrong or revoked credentials, a suspended partner, a limit. */
export class HandoffExchangeError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(`Handoff refused the token exchange (${status}): ${problem?.detail ?? problem?.title}`);
    this.name = "HandoffExchangeError";
  }
}

const EXCHANGE = "/v1/auth/token";

/**
 * A client whose calls (`client.POST("/v1/sso/tickets", { body })`, …) are typed by the
 * document: paths, parameters, bodies, answers and errors.
 */
export function createHandoffClient(options: HandoffClientOptions): HandoffClient {
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let current: { token: string; renewAt: number } | null = null;
  let exchanging: Promise<string> | null = null;

  async function exchange(): Promise<string> {
    const { data, error, response } = await client.POST(EXCHANGE, {
      body: { partner_token: options.partnerToken, api_token: options.apiToken },
    });
    if (!data) throw new HandoffExchangeError(response.status, error as Problem | undefined);
    current = { token: data.access_token, renewAt: Date.parse(data.expires_at) - renewBeforeMs };
    return data.access_token;
  }

  async function accessToken(): Promise<string> {
    if (current && Date.now() < current.renewAt) return current.token;
    // Calls made at once share one exchange.
    exchanging ??= exchange().finally(() => {
      exchanging = null;
    });
    return exchanging;
  }

  const bearer: Middleware = {
    async onRequest({ request, schemaPath }) {
      if (schemaPath === EXCHANGE) return undefined;
      request.headers.set("authorization", `Bearer ${await accessToken()}`);
      return request;
    },
    async onResponse({ response, schemaPath }) {
      // A token the server no longer takes (its API token revoked, say) is exchanged anew on
      // the next call; this call's 401 is the caller's to see.
      if (response.status === 401 && schemaPath !== EXCHANGE) current = null;
      return undefined;
    },
  };
  client.use(bearer);
  return client;
}
