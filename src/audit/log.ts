// The audit log as the domains write it: one entry in the transaction of the change it records,
// and whatever follows from an entry (a partner's webhook event, src/webhooks/events.ts) written
// beside it by the followers the composition root hands in. The audit domain knows none of them.
import type { Tx } from "../db/database.js";
import { type AuditEntry, insertEntry } from "./store.js";

/** Writes what follows from an entry, in the entry's own transaction. */
export type AuditFollower = (trx: Tx, entry: AuditEntry) => Promise<void>;

export class AuditLog {
  constructor(private readonly followers: readonly AuditFollower[] = []) {}

  /** Writes `entry` (and what follows from it) inside the transaction of the change it records. */
  async record(trx: Tx, entry: AuditEntry): Promise<void> {
    await insertEntry(trx, entry);
    for (const follow of this.followers) await follow(trx, entry);
  }
}
