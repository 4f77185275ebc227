// The partner API's guards: the token exchange and the bearer check, each with the failure
// limiter around it. Every face that speaks for a partner (native, seed shapes) uses these.
import type { FastifyRequest } from "fastify";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import type { AuthService, PartnerPrincipal } from "./service.js";

/** What the guards use. */
export interface PartnerGuardDeps {
  auth: AuthService;
  exchangeFailures: FailureLimiter;
}

/**
 * Runs the exchange; a failed one is charged to the client's address, and past the allowance
 * answered 429. Valid credentials are never refused, whatever others sent from the address.
 */
export async function guardedExchange(
  services: PartnerGuardDeps,
  request: FastifyRequest,
  partnerToken: unknown,
  apiToken: unknown,
) {
  const ip = clientIp(request);
  try {
    return await services.auth.exchange(partnerToken, apiToken);
  } catch (error) {
    if (
      error instanceof HandoffError &&
      error.status < 500 &&
      error.code !== "missing_credentials"
    ) {
      await services.exchangeFailures.fail(ip, request.log);
    }
    throw error;
  }
}

/** Each request's partner, checked once: before validation (bearerFirst) and in the handler. */
const principals = new WeakMap<FastifyRequest, Promise<PartnerPrincipal>>();

/**
 * The partner behind the request's bearer token; throws invalid_token and friends. A token that
 * is not a live one counts as a failed credential attempt of the client, as the exchange's do
 * (past the allowance: 429); a live one is always served.
 */
export function requirePartner(
  services: PartnerGuardDeps,
  request: FastifyRequest,
): Promise<PartnerPrincipal> {
  let principal = principals.get(request);
  if (principal === undefined) {
    principal = authenticate(services, request);
    principals.set(request, principal);
  }
  return principal;
}

async function authenticate(
  services: PartnerGuardDeps,
  request: FastifyRequest,
): Promise<PartnerPrincipal> {
  const ip = clientIp(request);
  try {
    return await services.auth.authenticate(request.headers.authorization);
  } catch (error) {
    if (error instanceof HandoffError && error.code === "invalid_token") {
      await services.exchangeFailures.fail(ip, request.log);
      // RFC 6750 §3: the scheme, and the error when a token was sent.
      throw error.challenging(
        request.headers.authorization
          ? 'Bearer realm="handoff", error="invalid_token"'
          : 'Bearer realm="handoff"',
      );
    }
    throw error;
  }
}

/**
 * A preValidation hook for every route whose schema declares bearer security: the caller is
 * authenticated before its body is validated, so a request without a live token hears 401,
 * never the schema's complaints about a body it had no right to send.
 */
export function bearerFirst(services: PartnerGuardDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const security = request.routeOptions.schema?.security as Record<string, unknown>[] | undefined;
    if (security?.some((scheme) => "bearer" in scheme)) await requirePartner(services, request);
  };
}
