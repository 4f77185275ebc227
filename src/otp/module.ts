// One-time codes at redemption, in two parts: the service (which tickets use to mint and redeem)
// and the step's route (which sends a code for a ticket, so it is built after tickets).
import type { Outbox } from "../delivery/outbox.js";
import type { FailureLimiter } from "../http/failures.js";
import type { Foundation, Module } from "../module.js";
import type { TicketService } from "../tickets/service.js";
import { otpRoutes } from "./routes.js";
import { OtpService } from "./service.js";
import { OtpStore } from "./store.js";

export interface OtpModuleDeps extends Foundation {
  outbox: Outbox;
  /** Whether messages of a kind can be sent (SMTP or an SMS sender, or the demo's mailbox). */
  canSend: (kind: "email" | "sms") => boolean;
  /** Asks the outbox's worker to deliver now. */
  nudge: () => void;
}

export interface OtpModule extends Module {
  otp: OtpService;
}

export function otpModule(deps: OtpModuleDeps): OtpModule {
  const { database, clock, outbox, canSend, nudge, counters } = deps;
  const store = new OtpStore(database);
  return { otp: new OtpService(database, store, clock, outbox, canSend, nudge, counters) };
}

/** The step's route: send the code a login link asks for. */
export function otpStepModule(
  deps: Foundation & { otp: OtpService; tickets: TicketService; redeemFailures: FailureLimiter },
): Module {
  return { routes: (scope) => otpRoutes(scope, deps) };
}
