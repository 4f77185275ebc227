// Address ranges written as CIDRs (HANDOFF_OUTBOUND_ALLOW, trusted proxies): parsed once.
import ipaddr from "ipaddr.js";

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** CIDRs from config (`127.0.0.1/32,::1/128`); throws on a malformed one. */
export function parseCidrs(list: string[]): Cidr[] {
  return list.map((cidr) =>
    ipaddr.parseCIDR(cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`),
  );
}
