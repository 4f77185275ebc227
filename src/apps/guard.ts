// The app guard: an app's own credentials (HTTP Basic, or client_id/client_secret in the body),
// for introspection and call-backs, with the failure limiter around the check.
import type { FastifyRequest } from "fastify";
import { basicCredentials } from "../http/basic.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import type { AppService } from "./service.js";

/** What the guard uses. */
export interface AppGuardDeps {
  apps: AppService;
  redeemFailures: FailureLimiter;
}

/** The app behind an introspection request: HTTP Basic, or client_id/client_secret in the body. */
export async function requireApp(
  services: AppGuardDeps,
  request: FastifyRequest,
  body: { client_id?: string | undefined; client_secret?: string | undefined },
) {
  // App ids and secrets are URL-safe, so no form-decoding (RFC 6749 §2.3.1) is needed.
  const basic = basicCredentials(request.headers.authorization);
  const id = basic?.user ?? body.client_id;
  const secret = basic?.password ?? body.client_secret;
  const app = id && secret ? await services.apps.authenticate(id, secret) : null;
  if (!app) {
    // Charged to the address only when wrong (past the allowance: 429); a right secret always works.
    await services.redeemFailures.fail(clientIp(request), request.log);
    throw new HandoffError("invalid_client", undefined, {
      headers: { "www-authenticate": 'Basic realm="handoff"' },
    });
  }
  return app;
}
