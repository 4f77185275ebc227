// Partners, their credentials and sub-account links, and the people at a partner.
import type { AuditLog } from "../audit/log.js";
import type { Passwords } from "../crypto/passwords.js";
import type { Tx } from "../db/database.js";
import type { Foundation, Module } from "../module.js";
import { PartnerService } from "./service.js";
import { PartnerStore } from "./store.js";
import { PartnerUserService } from "./users.js";

export interface PartnersModule extends Module {
  partners: PartnerService;
  partnerUsers: PartnerUserService;
  /** Whether `parent` may act for `child` (a declared sub-account link). */
  isLinked: (parent: string, child: string) => Promise<boolean>;
}

export function partnersModule(
  deps: Foundation & {
    audit: AuditLog;
    passwords: Passwords;
    /** What follows the end of the sessions a suspension ends, in its transaction. */
    sessionsEnded: (trx: Tx, ids: string[], now: number) => Promise<void>;
  },
): PartnersModule {
  const { database, clock, config, audit, passwords } = deps;
  const store = new PartnerStore(database);
  return {
    partners: new PartnerService(
      database,
      store,
      clock,
      config.partnerTokenOverlapSeconds,
      audit,
      deps.sessionsEnded,
    ),
    partnerUsers: new PartnerUserService(
      database,
      store,
      clock,
      passwords,
      config.partnerUserLockSeconds,
      audit,
    ),
    isLinked: (parent, child) => store.isLinked(parent, child),
  };
}
