// Counts failed credential attempts per client IP; past the limit the client gets 429.
import type { FastifyBaseLogger } from "fastify";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { HandoffError } from "./errors.js";

/**
 * Only failures count, so a partner's backend that exchanges correctly is never slowed, and a
 * client spraying guessed tokens is stopped without touching other clients. Per process: behind
 * a load balancer each node keeps its own count (documented in docs/security.md).
 */
export class FailureLimiter {
  readonly #limiter: RateLimiterMemory;

  constructor(
    private readonly scope: string,
    private readonly perMinute: number,
  ) {
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: scope });
  }

  /** Throws rate_limited when this client has used up its failures for the minute. */
  async check(clientIp: string): Promise<void> {
    const state = await this.#limiter.get(clientIp);
    if (state && state.consumedPoints >= this.perMinute) {
      throw new HandoffError("rate_limited", undefined, {
        headers: { "retry-after": String(Math.max(1, Math.ceil(state.msBeforeNext / 1000))) },
      });
    }
  }

  async fail(clientIp: string, log: FastifyBaseLogger): Promise<void> {
    let consumed: number;
    try {
      consumed = (await this.#limiter.consume(clientIp)).consumedPoints;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      consumed = error.consumedPoints;
    }
    // Logged once per window, by the failure that uses up the allowance.
    if (consumed === this.perMinute) {
      log.warn(
        { scope: this.scope, client_ip: clientIp },
        "too many failed credential attempts; refusing for a minute",
      );
    }
  }
}
