// Response headers every answer carries: no caching of secrets, no sniffing, no framing.
import type { FastifyInstance } from "fastify";

/** Installs the security headers; HSTS only when the public URL is https. */
export function registerSecurityHeaders(app: FastifyInstance, baseUrl: string): void {
  const https = baseUrl.startsWith("https:");
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    reply.header(
      "content-security-policy",
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    if (https) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  });
}
