// High-entropy secrets: `<prefix>_<id><secret>`. The id finds the row; only SHA-256(secret) is stored.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Readable prefixes, so a leaked secret is easy to spot (and to scan for). */
export const SecretPrefix = {
  partnerToken: "hpt",
  apiToken: "hak",
  ssoKey: "hsk",
  ticket: "hts",
  session: "hss",
  appSecret: "has",
} as const;
export type SecretPrefix = (typeof SecretPrefix)[keyof typeof SecretPrefix];

const ID_BYTES = 12; // 16 base64url characters: a locator, not a secret
const SECRET_BYTES = 32; // 43 base64url characters: 256 bits
const ID_CHARS = 16;
const SECRET_CHARS = 43;
const BODY = /^[A-Za-z0-9_-]+$/;

export interface MintedSecret {
  /** The whole secret as the holder sees it, shown once. */
  token: string;
  /** Row id. */
  id: string;
  /** What is stored. */
  hash: string;
}

/** Makes a new secret of the given kind. */
export function mintSecret(prefix: SecretPrefix): MintedSecret {
  const id = randomBytes(ID_BYTES).toString("base64url");
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { token: `${prefix}_${id}${secret}`, id, hash: hashSecret(secret) };
}

/**
 * Splits a presented secret into its id and secret parts, or null when it is not of this kind.
 * Parsing is by length, so no database lookup ever happens for a malformed value.
 */
export function parseSecret(
  prefix: SecretPrefix,
  token: unknown,
): { id: string; secret: string } | null {
  if (typeof token !== "string") return null;
  const head = `${prefix}_`;
  if (token.length !== head.length + ID_CHARS + SECRET_CHARS || !token.startsWith(head))
    return null;
  const body = token.slice(head.length);
  if (!BODY.test(body)) return null;
  return { id: body.slice(0, ID_CHARS), secret: body.slice(ID_CHARS) };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of a presented secret with a stored hash (equal-length digests). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash("sha256").update(secret, "utf8").digest();
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** A random identifier for rows that are not secrets (partners, apps …): `<prefix>_<16 chars>`. */
export function newId(prefix: string): string {
  // Crockford-style base32 alphabet, lower case: readable, no look-alike characters.
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  const bytes = randomBytes(16);
  let out = "";
  for (const b of bytes) out += alphabet[b & 31];
  return `${prefix}_${out}`;
}
