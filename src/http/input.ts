// Input at the edge (SECURITY row 57): no NUL character anywhere in what a request carries, and no
// control character in an identifier (path and query values, and body fields named like ids).
// SQLite would store such a value and PostgreSQL refuses it with an error; both answer 400 here,
// in the route's own error style (each shape's error handler renders the HandoffError).
// And a body in a media type its route does not take is refused with 415, whichever parser
// Fastify has for it (a form or text/plain reached JSON-only routes as a string or an object).
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

/** The media type of a request's body ("application/json"), or null when it has none. */
function mediaType(contentType: string | undefined): string | null {
  if (!contentType) return null;
  return contentType.split(";", 1)[0]?.trim().toLowerCase() || null;
}

/**
 * Checks every route's media type, parameters, query and body before validation. A route with a
 * body schema takes JSON unless its schema says otherwise (`consumes`, which the OpenAPI document
 * shows too): a form-encoded body may reach only a route that declares it. A route that reads its own
 * body (oidc-provider's, which answers in OAuth's shape) opts out with `config.rawInput`.
 */
export function registerInputChecks(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    if (route.schema?.body && !route.schema.consumes) {
      route.schema = { ...route.schema, consumes: ["application/json"] };
    }
  });
  app.addHook("preValidation", (request, _reply, done) => {
    if (request.routeOptions.config?.rawInput) return done();
    const consumes = request.routeOptions.schema?.consumes;
    const type = mediaType(request.headers["content-type"]);
    if (consumes && type !== null && request.body !== undefined && !consumes.includes(type)) {
      return done(
        new HandoffError("unsupported_media_type", `This address takes ${consumes.join(" or ")}.`),
      );
    }
    // Path and query values come from the URL, where Node's parser lets no raw control
    // character through: only a percent-encoded one can put one there.
    const fromUrl = ENCODED_CONTROL.test(request.raw.url ?? "")
      ? (offending(request.params, "path", true) ?? offending(request.query, "query", true))
      : null;
    const found = fromUrl ?? offending(request.body, "", false);
    done(found ? new HandoffError("invalid_request", found) : undefined);
  });
}
