// Whether a state-changing browser request came from another site.
import type { FastifyRequest } from "fastify";

/**
 * State-changing browser requests must come from our own pages. `Sec-Fetch-Site` is sent by
 * every current browser; a request without it (curl, an old browser) is judged by `Origin`.
 */
export function crossSite(request: FastifyRequest, baseUrl: string): boolean {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "cross-site";
  const origin = request.headers.origin;
  return typeof origin === "string" && origin !== "null" && origin !== new URL(baseUrl).origin;
}
