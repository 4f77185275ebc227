// The options of a mint checked against the app: TTL within its bounds, return path and named
// landing pages under its allowed paths, a bind address that is an IP address.
import type { App } from "../apps/service.js";
import { canonicalIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import { checkReturnPath, defaultReturnPath } from "./return-path.js";

export interface MintOptions {
  ttlSeconds?: number | undefined;
  returnTo?: string | undefined;
  bindIp?: string | undefined;
  context?: Record<string, unknown> | undefined;
}

/** The TTL, return path and bind address a ticket gets; invalid_request/invalid_return_to else. */
export function mintOptions(
  input: MintOptions,
  app: App,
): { ttl: number; returnTo: string; bindIp: string | null } {
  const ttl = input.ttlSeconds ?? app.ticketTtlDefault;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > app.ticketTtlMax) {
    throw new HandoffError(
      "invalid_request",
      `ttl_seconds must be from 1 to ${app.ticketTtlMax} for app ${app.id}`,
    );
  }
  let returnTo = defaultReturnPath(app.returnPaths);
  if (input.returnTo !== undefined) {
    const check = checkReturnPath(input.returnTo, app.returnPaths);
    if (!check.ok) throw new HandoffError("invalid_return_to", check.reason);
    returnTo = check.path;
  }
  const landings = input.context?.landings;
  if (landings && typeof landings === "object") {
    for (const path of Object.values(landings as Record<string, string>)) {
      const check = checkReturnPath(path, app.returnPaths);
      if (!check.ok) throw new HandoffError("invalid_return_to", `${path}: ${check.reason}`);
    }
  }
  let bindIp: string | null = null;
  if (input.bindIp !== undefined) {
    bindIp = canonicalIp(input.bindIp);
    if (bindIp === null)
      throw new HandoffError("invalid_request", "bind_ip is not an IPv4 or IPv6 address");
  }
  return { ttl, returnTo, bindIp };
}
