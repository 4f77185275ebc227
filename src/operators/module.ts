// The platform's operators (console sign-in as the platform's team).
import type { AuditLog } from "../audit/log.js";
import type { Passwords } from "../crypto/passwords.js";
import type { Foundation, Module } from "../module.js";
import { OperatorService } from "./service.js";
import { OperatorStore } from "./store.js";

export interface OperatorsModule extends Module {
  operators: OperatorService;
}

export function operatorsModule(
  deps: Foundation & { audit: AuditLog; passwords: Passwords },
): OperatorsModule {
  const { database, clock, config, audit, passwords } = deps;
  return {
    operators: new OperatorService(
      database,
      new OperatorStore(database),
      clock,
      passwords,
      config.partnerUserLockSeconds,
      audit,
    ),
  };
}
