// Portal passwords: Argon2id (OWASP parameters), never truncated or case-folded.
import { hash, verify } from "@node-rs/argon2";

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which isolated modules cannot import)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Argon2 runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * also flushes SQLite's WAL and signs access tokens. One hash takes tens of milliseconds, so a
 * burst of password logins could hold every thread and stall every durable write and token
 * behind it. At most this many hashes run at once; the others wait their turn, first come first
 * served.
 */
export const MAX_CONCURRENT_HASHES = 2;

let running = 0;
const waiting: Array<() => void> = [];

/** Runs `job` when fewer than MAX_CONCURRENT_HASHES are running. */
async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) {
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next in line, so `running` counts it throughout.
    if (next) next();
    else running -= 1;
  }
}

/** How many hashes run and wait now (the tests read it). */
export function hashLoad(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

export function hashPassword(password: string): Promise<string> {
  return limited(() => hash(password, OPTIONS));
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await limited(() => verify(storedHash, password));
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
  dummy ??= hashPassword("handoff-dummy-password-for-timing");
  await verifyPassword(await dummy, password);
  return false;
}
