// The client's address as Handoff sees it: from the socket, or through trusted proxies only.

import type { FastifyRequest } from "fastify";
import ipaddr from "ipaddr.js";

/**
 * Canonical form of an address: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes `a.b.c.d`, IPv6 is
 * written in its shortest form. Returns null for anything that is not an IP address.
 */
export function canonicalIp(value: string): string | null {
  const trimmed = value.trim();
  if (!ipaddr.isValid(trimmed)) return null;
  // ipaddr.isValid accepts shorthand IPv4 such as "1" or "0x7f.1"; only four-part dotted decimal counts.
  if (!trimmed.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(trimmed)) return null;
  const parsed = ipaddr.parse(trimmed);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

/**
 * `request.ip` already honours HANDOFF_TRUSTED_PROXIES (Fastify's trustProxy walks
 * X-Forwarded-For from the right and stops at the first untrusted hop); this canonicalises it.
 */
export function clientIp(request: FastifyRequest): string {
  return canonicalIp(request.ip) ?? request.ip;
}
