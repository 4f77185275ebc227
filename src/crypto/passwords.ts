// Portal passwords: Argon2id (OWASP parameters), never truncated or case-folded.
import { hash, verify } from "@node-rs/argon2";

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which isolated modules cannot import)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash, so an unknown account costs as much as a wrong password
 * (no timing oracle). The hash is made on first use, not at start-up.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hash("handoff-dummy-password-for-timing", OPTIONS);
  await verifyPassword(await dummy, password);
  return false;
}
