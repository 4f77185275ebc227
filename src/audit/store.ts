// The audit log: who did what to which ticket, session or user, when, from where, and how it
// ended. Written in the same transaction as the change it records; never holds a secret.

import type { Selectable } from "kysely";
import { newId } from "../crypto/secrets.js";
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { AuditTable } from "../db/schema.js";

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

/** Who made a management change, and from where: an operator's or partner user's id, or "cli". */
export interface Actor {
  actor: string;
  ip: string | null;
}

/** The operator's command line on the server. */
export const CLI: Actor = { actor: "cli", ip: null };

/** An audit entry for a management change (never with a secret: subjects are row ids). */
export function changeEntry(
  by: Actor,
  at: number,
  action: string,
  partnerId: string | null,
  subject: string | null,
  detail?: Record<string, unknown>,
): AuditEntry {
  return {
    at,
    actor: by.actor,
    action,
    partnerId,
    subject,
    ip: by.ip,
    outcome: "ok",
    ...(detail ? { detail } : {}),
  };
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
export async function insertEntry(db: Tx, entry: AuditEntry): Promise<void> {
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
  const selected = trx.selectFrom("audit_log").select("id").where("at", "<", before);
  return deleteSelected(trx, "audit_log", "id", selected.limit(limit));
}

export interface AuditFilter {
  partnerIds?: string[];
  actor?: string;
  action?: string;
  /** Entries at or after (ms). */
  since?: number;
  /** Entries before (ms); also the page cursor: the `at` of the last entry seen. */
  before?: number;
  limit: number;
}

export type AuditRow = Selectable<AuditTable>;

/** Reads the audit log, newest first. */
export class AuditStore {
  constructor(private readonly storage: Storage) {}

  list(filter: AuditFilter): Promise<AuditRow[]> {
    let query = this.storage.read.selectFrom("audit_log").selectAll();
    if (filter.partnerIds) query = query.where("partner_id", "in", filter.partnerIds);
    if (filter.actor) query = query.where("actor", "=", filter.actor);
    if (filter.action) query = query.where("action", "=", filter.action);
    if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
    if (filter.before !== undefined) query = query.where("at", "<", filter.before);
    return query.orderBy("at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
  }

  /**
   * The entries about these subjects (a login link, the session it made) in these partners,
   * oldest first: the story of one link. At most `limit` (the link's first ones).
   */
  about(subjects: string[], partnerIds: string[], limit: number): Promise<AuditRow[]> {
    return this.storage.read
      .selectFrom("audit_log")
      .selectAll()
      .where("subject", "in", subjects)
      .where("partner_id", "in", partnerIds)
      .orderBy("at", "asc")
      .limit(limit)
      .execute();
  }
}
