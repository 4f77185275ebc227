// HTTP Basic credentials (RFC 7617), read one way for every route that takes them: app
// introspection, seed 000's token endpoint, seed 004's calls.

/** The user name and password of an `Authorization: Basic` header, or null when there are none. */
export function basicCredentials(
  authorization: string | undefined,
): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
