// High-entropy secrets: `<prefix>_<id><secret>`. The id finds the row; only SHA-256(secret) is stored.
import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** Readable prefixes, so a leaked secret is easy to spot (and to scan for). */
export const SecretPrefix = {
  partnerToken: "hpt",
  apiToken: "hak",
  ssoKey: "hsk",
  ticket: "hts",
  session: "hss",
  appSecret: "has",
  refreshToken: "hrt",
  consoleSession: "hcs",
} as const;
export type SecretPrefix = (typeof SecretPrefix)[keyof typeof SecretPrefix];

const ID_BYTES = 12; // 16 base64url characters: a locator, not a secret (6 bytes time, 6 random)
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

/**
 * Random bytes from a pool refilled 4 KB at a time. Each call into Node's generator costs about
 * 5.7 µs of CPU however few bytes it returns (OpenSSL 3's per-call overhead; 0.12 µs a secret from
 * the pool, measured on Node 20 with `process.cpuUsage` over 200 000 calls), and a mint takes four:
 * in a CPU profile of the mint route they were 18 % of the main thread. The bytes are the same
 * CSPRNG output; each is handed out once and zeroed in the pool. The pool is the one piece of
 * module state here, on purpose: it holds nothing but unused random bytes.
 */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = POOL_SIZE;

function random(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/**
 * Row locators start with the time in milliseconds, so new rows land next to each other in the
 * primary-key index instead of at random pages (far fewer pages written per insert). They are
 * not secrets: the secret part of a token is separate and fully random.
 */
function locator(): string {
  const bytes = Buffer.alloc(ID_BYTES);
  bytes.writeUIntBE(Date.now(), 0, 6);
  random(ID_BYTES - 6).copy(bytes, 6);
  return bytes.toString("base64url");
}

/** Makes a new secret of the given kind. */
export function mintSecret(prefix: SecretPrefix): MintedSecret {
  const id = locator();
  const secret = random(SECRET_BYTES).toString("base64url");
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
  return hash("sha256", secret, "hex");
}

/** Constant-time comparison of a presented secret with a stored hash (equal-length digests). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = hash("sha256", secret, "buffer");
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

// Crockford-style base32 alphabet, lower case: readable, no look-alike characters, and in
// ascending ASCII order, so ids sort by their time part.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * An identifier for rows that are not secrets (partners, users, audit entries …):
 * `<prefix>_<10 chars of time><16 random chars>` (80 random bits). Time-ordered, so inserts
 * append to the index rather than landing on random pages.
 */
export function newId(prefix: string): string {
  let time = Date.now();
  let head = "";
  for (let i = 0; i < 10; i++) {
    head = (ALPHABET[time % 32] as string) + head;
    time = Math.floor(time / 32);
  }
  let tail = "";
  for (const b of random(16)) tail += ALPHABET[b & 31];
  return `${prefix}_${head}${tail}`;
}
