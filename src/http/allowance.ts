// A per-key allowance of requests a minute: mints per partner, anonymous requests that must
// write per client address, one-time-code sends. Unlike the failure limits, every request
// counts. This process's counts on SQLite, shared by every node on PostgreSQL (src/db/counters.ts).
import { type CounterFactory, type Counters, memoryCounters } from "../db/counters.js";

export class Allowance {
  readonly #counters: Counters;

  constructor(
    name: string,
    readonly perMinute: number,
    counters: CounterFactory = memoryCounters,
  ) {
    this.#counters = counters(name, perMinute);
  }

  /** Counts one request for `key`: null while within the allowance, else seconds to wait. */
  async take(key: string): Promise<number | null> {
    const { consumed, msBeforeNext } = await this.#counters.consume(key);
    return consumed <= this.perMinute ? null : Math.max(1, Math.ceil(msBeforeNext / 1000));
  }
}
