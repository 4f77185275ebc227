// Where a login link may land: a path under the app's base URL, inside one of its allowed
// prefixes. Anything that could leave the app (another host, a scheme, a backslash, a dot
// segment, an encoded slash or dot) is refused, so no open redirect can exist.

const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
/** Percent-encodings that could smuggle a separator, a dot or a second round of decoding. */
const ENCODED_DANGER = /%(2e|2f|5c|25|00)/i;
const MAX_LENGTH = 2048;

export type ReturnPathCheck = { ok: true; path: string } | { ok: false; reason: string };

/** Validates a return path (`/path?query`) against the allowed prefixes of an app. */
export function checkReturnPath(value: string, allowed: readonly string[]): ReturnPathCheck {
  if (value.length > MAX_LENGTH) {
    return { ok: false, reason: `return_to is longer than ${MAX_LENGTH} characters` };
  }
  const q = value.indexOf("?");
  const path = q === -1 ? value : value.slice(0, q);
  const query = q === -1 ? "" : value.slice(q + 1);
  if (!path.startsWith("/") || path.startsWith("//")) {
    return { ok: false, reason: "return_to must be a path starting with a single /" };
  }
  if (!PATH_CHARS.test(path) || !QUERY_CHARS.test(query)) {
    return {
      ok: false,
      reason: "return_to holds characters a path may not (backslash, space, #, controls)",
    };
  }
  if (ENCODED_DANGER.test(path)) {
    return { ok: false, reason: "return_to may not percent-encode dots, slashes or percent signs" };
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { ok: false, reason: "return_to has a broken percent-encoding" };
  }
  if (decoded.split("/").some((s) => s === "." || s === "..")) {
    return { ok: false, reason: "return_to may not hold . or .. segments" };
  }
  if (!allowed.some((prefix) => underPrefix(path, prefix))) {
    return { ok: false, reason: "return_to is not under one of the app's return paths" };
  }
  return { ok: true, path: value };
}

/** `/a/b` is under `/a` and `/a/`, never under `/ab`: prefixes match on segment boundaries. */
export function underPrefix(path: string, prefix: string): boolean {
  if (prefix === "/" || path === prefix) return true;
  const base = prefix.endsWith("/") ? prefix : `${prefix}/`;
  return path.startsWith(base) || `${path}/` === base;
}

/** The absolute URL a redemption lands on: the base URL (which may have a path) + the path. */
export function landingUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

/** Default landing path: `/` when allowed, else the first allowed prefix. */
export function defaultReturnPath(allowed: readonly string[]): string {
  return allowed.some((p) => underPrefix("/", p)) ? "/" : (allowed[0] ?? "/");
}
