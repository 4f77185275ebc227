// Response headers every answer carries: no caching of secrets, no sniffing, no framing.
import type { FastifyInstance } from "fastify";

/** Installs the security headers; HSTS only when the public URL is https. */
export function registerSecurityHeaders(app: FastifyInstance, baseUrl: string): void {
  const fixed: Record<string, string> = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy":
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  };
  if (baseUrl.startsWith("https:"))
    fixed["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  // A callback hook, not an async one: no promise per request for a few assignments.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    reply.headers(fixed);
    done();
  });
}
