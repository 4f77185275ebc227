// Counts failed credential attempts per key (a client address, or an address and an account);
// past the allowance a failure is answered 429 instead of its own refusal.
import type { FastifyBaseLogger } from "fastify";
import { type CounterFactory, type Counters, memoryCounters } from "../db/counters.js";
import { HandoffError } from "./errors.js";

/**
 * A valid credential is never charged, so never refused: a check is made first (for a random,
 * high-entropy secret, one hash lookup) and only its failure counts. So a client spraying
 * guessed tokens from the address of a proxy or a NAT is answered 429 while everyone else behind
 * that address, the proxy's good requests included, goes on. Only a costly check (a password
 * hash) asks `check` before it runs, keyed by address *and* account, so a guesser never locks
 * out another person behind the same address. The counts are this process's on SQLite and
 * shared by every node on PostgreSQL (src/db/counters.ts; docs/security.md).
 */
export class FailureLimiter {
  readonly #counters: Counters;

  constructor(
    private readonly scope: string,
    private readonly perMinute: number,
    counters: CounterFactory = memoryCounters,
  ) {
    this.#counters = counters(scope, perMinute);
  }

  /**
   * Throws rate_limited when `key` has used up its failures for the minute. Only before costly
   * work (a password hash), with a key that names the account as well as the address.
   */
  async check(key: string): Promise<void> {
    const state = await this.#counters.get(key);
    if (state && state.consumed >= this.perMinute) throw limited(state.msBeforeNext);
  }

  /**
   * Charges one failure to `key`. Past the allowance it throws rate_limited (429 with
   * Retry-After), which the caller answers instead of its own refusal.
   */
  async fail(key: string, log: FastifyBaseLogger): Promise<void> {
    const state = await this.#counters.consume(key);
    // Logged once per window, by the failure that uses up the allowance.
    if (state.consumed === this.perMinute + 1) {
      log.warn(
        { scope: this.scope, client: key },
        "too many failed credential attempts; answering 429 to failures for a minute",
      );
    }
    if (state.consumed > this.perMinute) throw limited(state.msBeforeNext);
  }
}

function limited(msBeforeNext: number): HandoffError {
  return new HandoffError("rate_limited", undefined, {
    headers: { "retry-after": String(Math.max(1, Math.ceil(msBeforeNext / 1000))) },
  });
}

/** The key of a costly check: the address and the account, so a guesser locks out nobody else. */
export function accountKey(ip: string, ...account: string[]): string {
  return [ip, ...account].join("|");
}
