// Pruning: what is past its retention leaves the database in small batches, each its own short
// write, never on the request path, so no table's size reaches a request's cost. Each module
// names its tables' jobs (src/module.ts); the pruner (src/ops/pruner.ts) runs them all.
import { type Expression, type RawBuilder, sql } from "kysely";
import type { Storage, Tx } from "./database.js";
import type { Tables } from "./schema.js";

const DAY_MS = 24 * 3600 * 1000;

/** The moments rows are judged against, from the operator's retention settings. */
export interface Cutoffs {
  now: number;
  /** Tickets and sessions ended before this are gone (HANDOFF_TICKET_RETENTION_DAYS). */
  tickets: number;
  /** Audit entries before this are gone (HANDOFF_AUDIT_RETENTION_DAYS). */
  audit: number;
  ticketRetentionDays: number;
}

export interface RetentionOptions {
  ticketRetentionDays: number;
  auditRetentionDays: number;
  /** Rows per statement; each batch is its own short transaction. */
  batchSize?: number;
}

export function cutoffs(now: number, options: RetentionOptions): Cutoffs {
  return {
    now,
    tickets: now - options.ticketRetentionDays * DAY_MS,
    audit: now - options.auditRetentionDays * DAY_MS,
    ticketRetentionDays: options.ticketRetentionDays,
  };
}

/** One kind of row to prune: deletes at most `limit` of them and answers how many it deleted. */
export interface PruneJob {
  name: string;
  step(trx: Tx, at: Cutoffs, limit: number): Promise<number>;
}

/**
 * The one batched delete: the rows of `table` whose `key` is among those `selected` picks (a
 * select bounded by a limit, on an index). `key` is a column, or a row value such as `(a, b)`.
 */
export async function deleteSelected(
  trx: Tx,
  table: keyof Tables,
  key: string | RawBuilder<unknown>,
  selected: Expression<unknown>,
): Promise<number> {
  const column = typeof key === "string" ? sql.ref(key) : key;
  const result =
    await sql`delete from ${sql.table(table)} where ${column} in (${selected})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

const BATCH = 1000;

/** Runs every job until nothing of its kind is left; answers the rows deleted per job name. */
export async function runPrune(
  storage: Storage,
  jobs: readonly PruneJob[],
  now: number,
  options: RetentionOptions,
): Promise<Record<string, number>> {
  const batch = options.batchSize ?? BATCH;
  const at = cutoffs(now, options);
  const result: Record<string, number> = {};
  for (const job of jobs) {
    let total = 0;
    for (;;) {
      const n = await storage.write((trx) => job.step(trx, at, batch));
      total += n;
      if (n < batch) break;
      // Let requests in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    result[job.name] = (result[job.name] ?? 0) + total;
  }
  return result;
}
