// Input at the edge (SECURITY row 57): no NUL character anywhere in what a request carries, and no
// control character in an identifier (path and query values, and body fields named like ids).
// SQLite would store such a value and PostgreSQL refuses it with an error; both answer 400 here,
// in the route's own error style (each shape's error handler renders the HandoffError).
import type { FastifyInstance } from "fastify";
import { HandoffError } from "./errors.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route reads its own body and answers its own errors (oidc-provider's). */
    rawInput?: boolean;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Body fields that name something (an id, a login, an email, a product): no controls at all. */
const IDENTIFIER =
  /(^|_)(id|token)$|[a-z](Id|Token)$|^(app|product|username|email|login|on_behalf_of|ssokey)$/;
const MAX_DEPTH = 32;
/** A percent-encoded control character: %00 to %1F, or %7F. */
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

/** The first value under `value` that breaks the rules, as a field path, or null. */
function offending(value: unknown, path: string, identifier: boolean, depth = 0): string | null {
  if (typeof value === "string") {
    if (value.includes("\u0000")) return `${path} holds a NUL character`;
    return identifier && CONTROL.test(value) ? `${path} holds a control character` : null;
  }
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes("\u0000")) return `${path} has a field name with a NUL character`;
    const found = offending(inner, path ? `${path}.${key}` : key, IDENTIFIER.test(key), depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Checks every route's parameters, query and body before validation. A route that reads its own
 * body (oidc-provider's, which answers in OAuth's shape) opts out with `config.rawInput`.
 */
export function registerInputChecks(app: FastifyInstance): void {
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.routeOptions.config?.rawInput) return done();
    // Path and query values come from the URL, where Node's parser lets no raw control
    // character through: only a percent-encoded one can put one there.
    const fromUrl = ENCODED_CONTROL.test(request.raw.url ?? "")
      ? (offending(request.params, "path", true) ?? offending(request.query, "query", true))
      : null;
    const found = fromUrl ?? offending(request.body, "", false);
    done(found ? new HandoffError("invalid_request", found) : undefined);
  });
}
