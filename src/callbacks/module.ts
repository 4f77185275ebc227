// Call-backs to partners (seed 002's balance, debit, refund, verify), made for apps.
import type { AppService } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import { parseCidrs } from "../http/cidr.js";
import type { FailureLimiter } from "../http/failures.js";
import type { Foundation, Module } from "../module.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";
import { callbackRoutes } from "./routes.js";
import { CallbackService } from "./service.js";
import { CallbackStore } from "./store.js";

export interface CallbacksModuleDeps extends Foundation {
  audit: AuditLog;
  apps: AppService;
  sessions: SessionService;
  tickets: TicketService;
  redeemFailures: FailureLimiter;
}

export interface CallbacksModule extends Module {
  callbacks: CallbackService;
}

export function callbacksModule(deps: CallbacksModuleDeps): CallbacksModule {
  const { database, clock, config, sealer, audit } = deps;
  const allowed = parseCidrs(config.outboundAllow);
  const callbacks = new CallbackService(
    database,
    new CallbackStore(database),
    clock,
    sealer,
    allowed,
    audit,
  );
  return {
    callbacks,
    routes: (scope) => callbackRoutes(scope, { ...deps, callbacks }),
    // An Idempotency-Key is answered from its kept answer as long as tickets are kept.
    prune: [
      { name: "callbacks", step: (trx, at, limit) => CallbackStore.prune(trx, at.tickets, limit) },
    ],
  };
}
