// The audit log: who did what to which ticket, session or user, when, from where, and how it
// ended. Written in the same transaction as the change it records; never holds a secret.
import type { Kysely, Transaction } from "kysely";
import { newId } from "../crypto/secrets.js";
import type { Tables } from "../db/schema.js";

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  partnerId: string | null;
  subject: string | null;
  ip: string | null;
  outcome: string;
  detail?: Record<string, unknown>;
}

export async function audit(
  db: Kysely<Tables> | Transaction<Tables>,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      id: newId("aud"),
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      partner_id: entry.partnerId,
      subject: entry.subject,
      ip: entry.ip,
      outcome: entry.outcome,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    })
    .execute();
}
