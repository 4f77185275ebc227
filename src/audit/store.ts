// The audit log: who did what to which ticket, session or user, when, from where, and how it
// ended. Written in the same transaction as the change it records; never holds a secret.
import { newId } from "../crypto/secrets.js";
import type { Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";

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

type AuditParam =
  | "id"
  | "at"
  | "actor"
  | "action"
  | "partner_id"
  | "subject"
  | "ip"
  | "outcome"
  | "detail";

/** The insert runs on every mint and redemption: compiled once per dialect, not per entry. */
const insert = new PreparedQuery<unknown, AuditParam>((db, p) =>
  db.insertInto("audit_log").values({
    id: p("id"),
    at: p<number>("at"),
    actor: p("actor"),
    action: p("action"),
    partner_id: p("partner_id"),
    subject: p("subject"),
    ip: p("ip"),
    outcome: p("outcome"),
    detail: p("detail"),
  }),
);

/** Writes one entry inside the transaction of the change it records. */
export async function audit(db: Tx, entry: AuditEntry): Promise<void> {
  await insert.execute(db, {
    id: newId("aud"),
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    partner_id: entry.partnerId,
    subject: entry.subject,
    ip: entry.ip,
    outcome: entry.outcome,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

/** Deletes up to `limit` entries older than `before`. */
export async function pruneAudit(trx: Tx, before: number, limit: number): Promise<number> {
  const result = await trx
    .deleteFrom("audit_log")
    .where(
      "id",
      "in",
      trx.selectFrom("audit_log").select("id").where("at", "<", before).limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
