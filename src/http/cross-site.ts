// Whether a state-changing browser request came from Handoff's own pages: one rule for the
// console, login links, the one-time-code step and logout (docs/security.md, row 36).
import type { FastifyRequest } from "fastify";

/**
 * Whether a state-changing request came from Handoff's own pages: a browser says so in
 * Sec-Fetch-Site, or, for older browsers, in Origin. A request with neither header is not a
 * browser's cross-site form (those carry Origin): a console change is then decided by its CSRF
 * token alone, and a login link by its own secret. `same-site` is refused too: a sibling
 * subdomain is another site's pages for this purpose.
 *
 * `legacyNullOrigin`: the person's own flows (a login link, its code step, logout) also accept
 * `Origin: null` from a browser that sends no Sec-Fetch-Site (Safari before 16.4): Handoff's
 * pages send no referrer, so such a browser posts Handoff's own forms with `Origin: null`.
 */
export function sameOrigin(
  request: FastifyRequest,
  baseUrl: string,
  options: { legacyNullOrigin?: boolean } = {},
): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin" || site === "none";
  const origin = request.headers.origin;
  if (origin === undefined || (origin === "null" && options.legacyNullOrigin)) return true;
  return origin === new URL(baseUrl).origin;
}
