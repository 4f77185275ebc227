// What an app's fields must look like: http(s) URLs without credentials or fragments, absolute
// return paths without dot segments, and session and ticket limits within sane bounds.
import { HandoffError } from "../http/errors.js";
import type { AppRow } from "./store.js";

/**
 * OIDC redirect URIs are compared exactly (no prefixes, no wildcards): absolute http(s) URLs
 * without credentials or fragment. Plain http is for development; production apps use https.
 */
export function checkRedirectUris(uris: string[], field: string): string {
  if (uris.length > 20) throw new HandoffError("invalid_request", `at most 20 ${field}`);
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new HandoffError("invalid_request", `${field}: "${uri}" is not a URL`);
    }
    if (
      (url.protocol !== "https:" && url.protocol !== "http:") ||
      url.username ||
      url.password ||
      url.hash ||
      uri.includes("#")
    ) {
      throw new HandoffError(
        "invalid_request",
        `${field}: "${uri}" must be an http(s) URL without credentials or fragment`,
      );
    }
  }
  return JSON.stringify([...new Set(uris)]);
}

export function httpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HandoffError("invalid_request", `${field} is not a URL`);
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.username ||
    url.password ||
    url.hash
  ) {
    throw new HandoffError(
      "invalid_request",
      `${field} must be an http(s) URL without credentials or fragment`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

export function checkReturnPaths(paths: string[]): string[] {
  if (paths.length === 0 || paths.length > 50) {
    throw new HandoffError("invalid_request", "an app needs 1 to 50 return paths");
  }
  for (const path of paths) {
    if (
      !/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(path) ||
      path.startsWith("//") ||
      path.split("/").some((s) => s === "." || s === "..")
    ) {
      throw new HandoffError(
        "invalid_request",
        `return path "${path}" must be an absolute path without dot segments`,
      );
    }
  }
  return paths;
}

function seconds(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HandoffError(
      "invalid_request",
      `${field} must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

const YEAR = 365 * 24 * 3600;

/** Checks the policy fields of a whole app row (after defaults or changes are applied). */
export function checkPolicy(row: AppRow): void {
  seconds(row.ticket_ttl_max, "ticket_ttl_max", 1, YEAR);
  seconds(row.ticket_ttl_default, "ticket_ttl_default", 1, row.ticket_ttl_max);
  seconds(row.session_idle_seconds, "session_idle_seconds", 60, YEAR);
  seconds(row.session_absolute_seconds, "session_absolute_seconds", 60, YEAR);
  if (row.ip_binding !== "exact" && row.ip_binding !== "prefix") {
    throw new HandoffError("invalid_request", "ip_binding must be exact or prefix");
  }
}
