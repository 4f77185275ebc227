// Claiming background work (the outbox's messages, webhook deliveries, back-channel logouts) so that with any number
// of workers, on any number of nodes, each row due is taken by exactly one of them.
import { type SelectQueryBuilder, sql } from "kysely";
import type { DialectName, Tx } from "./database.js";

/** The tables whose rows are claimed: each has an `id` and a `claimed_until`. */
export type ClaimedTable =
  | "outbox"
  | "webhook_deliveries"
  | "oidc_logout_deliveries"
  | "saml_logout_deliveries";

/**
 * Runs `due` (a bounded select of rows of `table` due and unclaimed, or past their claim) and
 * writes `claimedUntil` on what it found, in the caller's transaction. On PostgreSQL the select
 * takes the rows of `table` (not those of tables it joins; `due` names it unaliased) FOR UPDATE
 * SKIP LOCKED, so a row another worker is claiming is skipped, not waited for and never taken
 * twice; SQLite has one writer, so there the claiming transaction is the lock. A result is then
 * recorded only under its own claim (`WHERE claimed_until = <this claim>`): a claim that ran out
 * and was retaken wins.
 */
export async function claimDue<DB, TB extends keyof DB, Row extends { id: string }>(
  trx: Tx,
  dialect: DialectName,
  table: ClaimedTable,
  due: SelectQueryBuilder<DB, TB, Row>,
  claimedUntil: number,
): Promise<Row[]> {
  // Written out: Kysely's typed `forUpdate(of)` cannot take a table the caller chose at run time.
  const query =
    dialect === "sqlite" ? due : due.modifyEnd(sql`for update of ${sql.table(table)} skip locked`);
  const rows = await query.execute();
  if (rows.length > 0) {
    await trx
      .updateTable(table)
      .set({ claimed_until: claimedUntil })
      .where(
        "id",
        "in",
        rows.map((row) => row.id),
      )
      .execute();
  }
  return rows;
}
