// Seed 001 (Sparrow SMS enterprise authentication flow): POST /v1/autho/apitoken/login/.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { guardedExchange } from "../auth/guard.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { ErrorCode } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { envelopeErrorHandler } from "../http/problem.js";
import type { PartnerService } from "../partners/service.js";

/** What this module uses. */
export interface SparrowDeps {
  auth: AuthService;
  clock: Clock;
  exchangeFailures: FailureLimiter;
  partners: PartnerService;
}

/** The seed's error table, word for word; the HTTP status is our choice (docs/compat/sparrow.md). */
export const sparrowMessages: Partial<Record<ErrorCode, string>> = {
  invalid_partner_token: "Invalid Partner Token",
  missing_credentials: 'Must include "partner_token" and "api_token"',
  account_expired: "Account is Expired",
  invalid_api_token: "Invalid API Token",
  api_token_expired: "API Token Expired",
  credentials_mismatch: "Unable to log in with provided credentials.",
  account_inactive: "Invalid User",
};

/**
 * `2022-08-21T18:00:55.400174+05:45` in the seed: ISO 8601 with microseconds and an offset.
 * We answer in UTC, written `+00:00` the way the seed writes offsets.
 */
export function sparrowTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

const sendSparrowError = envelopeErrorHandler((error) => ({
  data: { errors: sparrowMessages[error.code] ?? error.message },
  meta: {},
  result: "11",
  status: "DATA_ERROR",
}));

export async function sparrowRoutes(app: FastifyInstance, services: SparrowDeps): Promise<void> {
  const handler = async (request: FastifyRequest) => {
    // The seed's fields arrive as JSON or as a form; anything else is "missing".
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { accessToken, expiresAt } = await guardedExchange(
      services,
      request,
      body.partner_token,
      body.api_token,
    );
    return {
      data: { message: "Success", token: accessToken, expires_on: sparrowTime(expiresAt) },
      meta: {},
      result: "00",
      status: "OK",
    };
  };
  const options = {
    schema: {
      tags: ["compat: Sparrow"],
      summary: "Sparrow's token exchange, in its exact shape",
    },
    errorHandler: sendSparrowError,
  };
  // Sparrow's page writes the path with a trailing slash; both spellings are served. The
  // OpenAPI document lists the one without (a trailing slash breaks client generators) and says so.
  app.post(
    "/v1/autho/apitoken/login/",
    { ...options, schema: { ...options.schema, hide: true } },
    handler,
  );
  app.post(
    "/v1/autho/apitoken/login",
    {
      ...options,
      schema: {
        ...options.schema,
        description: "Also served as `/v1/autho/apitoken/login/`, the path Sparrow's page gives.",
      },
    },
    handler,
  );
}
