// The client's address as Handoff sees it: from the socket, or through trusted proxies only.

import type { FastifyRequest } from "fastify";
import ipaddr from "ipaddr.js";

/**
 * Canonical form of an address: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes `a.b.c.d`, IPv6 is
 * written in its shortest form. Returns null for anything that is not an IP address.
 */
const PLAIN_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function canonicalIp(value: string): string | null {
  // The common case, already canonical (no leading zeros, four parts): no parsing needed.
  if (PLAIN_IPV4.test(value)) return value;
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

/**
 * Whether a request from `actual` satisfies a ticket bound to `bound`: the same address, or
 * with `prefix` the same /24 (IPv4) or /64 (IPv6). IPv4-mapped IPv6 counts as its IPv4.
 */
export function ipMatches(bound: string, actual: string, mode: "exact" | "prefix"): boolean {
  const a = canonicalIp(bound);
  const b = canonicalIp(actual);
  if (a === null || b === null) return false;
  if (mode === "exact") return a === b;
  const pa = ipaddr.parse(a);
  const pb = ipaddr.parse(b);
  if (pa.kind() !== pb.kind()) return false;
  return pa.match(pb, pa.kind() === "ipv4" ? 24 : 64);
}
