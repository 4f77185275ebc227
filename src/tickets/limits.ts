// How many login links a partner may mint per minute (per process, like the failure limits).
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { HandoffError } from "../http/errors.js";

export class MintLimiter {
  readonly #limiter: RateLimiterMemory;

  constructor(private readonly perMinute: number) {
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: "mint" });
  }

  /** Counts one mint for the partner; throws quota_exceeded (429) past the minute's allowance. */
  async take(partnerId: string): Promise<void> {
    try {
      await this.#limiter.consume(partnerId);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new HandoffError(
        "quota_exceeded",
        `at most ${this.perMinute} login links a minute for this partner`,
        { headers: { "retry-after": String(Math.max(1, Math.ceil(error.msBeforeNext / 1000))) } },
      );
    }
  }
}
