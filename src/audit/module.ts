// The audit log's module: the log every domain writes through, and its retention.

import type { Database } from "../db/database.js";
import type { Module } from "../module.js";
import { type AuditFollower, AuditLog } from "./log.js";
import { AuditStore, pruneAudit } from "./store.js";

export interface AuditModule extends Module {
  audit: AuditLog;
  /** The log as the console reads it. */
  auditStore: AuditStore;
}

/** `followers` write what follows from an entry (webhook events) in the entry's transaction. */
export function auditModule(database: Database, followers: AuditFollower[]): AuditModule {
  return {
    audit: new AuditLog(followers),
    auditStore: new AuditStore(database),
    prune: [{ name: "audit", step: (trx, at, limit) => pruneAudit(trx, at.audit, limit) }],
  };
}
