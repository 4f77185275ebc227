// Requests Handoff makes to addresses partners give it (call-back endpoints). Such an address
// must not reach into the platform's own network (SSRF): a URL must be https (http only to an
// allowed address), and the address the connection actually goes to (after DNS, every time, so
// rebinding a name to 127.0.0.1 later does not help) must be a public unicast one, unless the
// operator allowed its range (HANDOFF_OUTBOUND_ALLOW, for local testing). Redirects are never
// followed; an answer's body is read up to 64 KiB.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import type { Cidr } from "../http/cidr.js";
import { HandoffError } from "../http/errors.js";

const MAX_ANSWER_BYTES = 64 * 1024;

function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const ip = ipaddr.parse(address);
  return ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address()
    : ip;
}

/** Whether `address` is in one of the operator's allowed ranges. */
function inAllowed(address: string, allowed: Cidr[]): boolean {
  const ip = parsed(address);
  return (
    ip !== null &&
    allowed.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))
  );
}

/** Whether connecting to `address` is allowed: public unicast, or in an allowed range. */
export function reachable(address: string, allowed: Cidr[]): boolean {
  const ip = parsed(address);
  if (ip === null) return false;
  if (inAllowed(address, allowed)) return true;
  // IPv4-compatible IPv6 (::a.b.c.d, deprecated) could reach an IPv4 address: never public.
  if (ip.kind() === "ipv6" && ip.match(ipaddr.parseCIDR("::/96"))) return false;
  return ip.range() === "unicast";
}

/** Checks a partner's URL when it is registered: https (or http to an allowed address). */
export function checkOutboundUrl(value: string, allowed: Cidr[], field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HandoffError("invalid_request", `${field} is not a URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const literal = ipaddr.isValid(host);
  // Plain http only to an address the operator allowed (this machine, for testing).
  const allowedLiteral = literal && inAllowed(host, allowed);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowedLiteral)) {
    throw new HandoffError("invalid_request", `${field} must be an https URL`);
  }
  if (url.username || url.password || url.hash) {
    throw new HandoffError("invalid_request", `${field} must have no credentials or fragment`);
  }
  if (literal && !reachable(host, allowed)) {
    throw new HandoffError(
      "invalid_request",
      `${field} points at a private, loopback, link-local or reserved address`,
    );
  }
  if (!literal && /(^|\.)(localhost|internal|local)$/i.test(host)) {
    throw new HandoffError("invalid_request", `${field} names a local host`);
  }
  return url.href;
}

/** A DNS lookup that answers only addresses Handoff may connect to. */
function guardedLookup(allowed: Cidr[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as unknown as LookupAddress[];
      const usable = list.filter((a) => reachable(a.address, allowed));
      const first = usable[0];
      if (!first) {
        const refused = Object.assign(new Error(`${hostname} resolves to no public address`), {
          code: "EHOSTREFUSED",
        });
        return callback(refused, "", 4);
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      }
      return callback(null, first.address, first.family);
    });
  };
}

export interface OutboundAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

/** Why a request got no answer: the time ran out, or the address is refused or unreachable. */
export class OutboundFailure extends Error {
  constructor(
    readonly reason: "timeout" | "refused" | "unreachable",
    message: string,
  ) {
    super(message);
    this.name = "OutboundFailure";
  }
}

/** POSTs `body` to `url` and answers the status and (at most 64 KiB of) the body. */
export function postOutbound(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowed: Cidr[] },
): Promise<OutboundAnswer> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (ipaddr.isValid(host) && !reachable(host, options.allowed)) {
    return Promise.reject(new OutboundFailure("refused", "the address is not a public one"));
  }
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<OutboundAnswer>((resolve, reject) => {
    let request: ReturnType<typeof send>;
    try {
      request = send(
        target,
        {
          method: "POST",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
          lookup: guardedLookup(options.allowed),
          timeout: options.timeoutMs,
          signal: AbortSignal.timeout(options.timeoutMs),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ANSWER_BYTES) return void chunks.push(chunk);
            reject(new OutboundFailure("unreachable", "the answer is larger than 64 KiB"));
            response.destroy();
          });
          response.on("close", () => {
            if (!response.complete) {
              reject(new OutboundFailure("unreachable", "the answer broke off"));
            }
          });
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 502,
              contentType: response.headers["content-type"] ?? null,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          response.on("error", () =>
            reject(new OutboundFailure("unreachable", "the answer broke off")),
          );
        },
      );
    } catch {
      // A header value Node refuses (a control character in a partner's token, say).
      reject(
        new OutboundFailure(
          "refused",
          "the request could not be made (a header value is not valid)",
        ),
      );
      return;
    }
    request.on("timeout", () =>
      request.destroy(new OutboundFailure("timeout", "no answer in time")),
    );
    request.on("error", (error: Error & { code?: string }) => {
      if (error instanceof OutboundFailure) return reject(error);
      if (error.name === "AbortError" || error.name === "TimeoutError") {
        return reject(new OutboundFailure("timeout", "no answer in time"));
      }
      reject(
        error.code === "EHOSTREFUSED"
          ? new OutboundFailure("refused", error.message)
          : new OutboundFailure("unreachable", "the endpoint could not be reached"),
      );
    });
    request.end(body);
  });
}
