// A per-key allowance of requests a minute (per process): mints per partner, anonymous requests
// that must write per client address. Unlike the failure limits, every request counts.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export class Allowance {
  readonly #limiter: RateLimiterMemory;

  constructor(
    name: string,
    readonly perMinute: number,
  ) {
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: name });
  }

  /** Counts one request for `key`: null while within the allowance, else seconds to wait. */
  async take(key: string): Promise<number | null> {
    try {
      await this.#limiter.consume(key);
      return null;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    }
  }
}
