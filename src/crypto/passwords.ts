// Portal passwords: Argon2id (OWASP parameters), never truncated or case-folded.
import { hash, verify } from "@node-rs/argon2";

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which isolated modules cannot import)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Argon2 runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * also signs access tokens. One hash takes tens of milliseconds, so a burst of password logins
 * could hold every thread and stall every token behind it. At most this many hashes run at once;
 * the others wait their turn, first come first served.
 */
export const MAX_CONCURRENT_HASHES = 2;

/** Hashes and checks passwords, a few at a time (one per app, built with its context). */
export class Passwords {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** A throwaway hash, made on first use, so an unknown account costs what a wrong password does. */
  #dummy: Promise<string> | undefined;

  constructor(private readonly maxConcurrent = MAX_CONCURRENT_HASHES) {}

  /** How many hashes run and wait now (the tests read it). */
  load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  hash(password: string): Promise<string> {
    return this.#limited(() => hash(password, OPTIONS));
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await this.#limited(() => verify(storedHash, password));
    } catch {
      return false;
    }
  }

  /** Verifies against the throwaway hash: an unknown account answers as slowly as a wrong password. */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= this.hash("handoff-dummy-password-for-timing");
    await this.verify(await this.#dummy, password);
    return false;
  }

  /** Runs `job` when fewer than the limit are running. */
  async #limited<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxConcurrent) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line, so `running` counts it throughout.
      if (next) next();
      else this.#running -= 1;
    }
  }
}
