// Counts per key and minute for the failure budgets and allowances (src/http/failures.ts,
// src/http/allowance.ts): in this process's memory on SQLite (one node), in a table on
// PostgreSQL, so that every node counts against the same window and N nodes allow what one does.

import { createHash } from "node:crypto";
import { sql } from "kysely";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Storage, Tx } from "./database.js";
import { deleteSelected } from "./prune.js";

const WINDOW_MS = 60_000;

/** A key's count in its window, and how long until the window starts over. */
export interface WindowCount {
  consumed: number;
  msBeforeNext: number;
}

export interface Counters {
  /** Counts one more for `key` (a new window once the last one is over). */
  consume(key: string): Promise<WindowCount>;
  /** The count of `key`'s window, if one is open. */
  get(key: string): Promise<WindowCount | null>;
}

/** One process's counts (rate-limiter-flexible's memory store). */
export function memoryCounters(scope: string, perMinute: number): Counters {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: scope });
  const count = (res: RateLimiterRes) => ({
    consumed: res.consumedPoints,
    msBeforeNext: res.msBeforeNext,
  });
  return {
    consume: async (key) => {
      try {
        return count(await limiter.consume(key));
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        return count(error);
      }
    },
    get: async (key) => {
      const res = await limiter.get(key);
      return res ? count(res) : null;
    },
  };
}

/**
 * Counts in the `rate_windows` table, one row per key: one upsert per count, in its own short
 * write, atomic on PostgreSQL under any number of nodes (the row is the lock). Windows run on
 * the wall clock, as the memory store's do.
 */
export function databaseCounters(storage: Storage, scope: string): Counters {
  const left = (resetsAt: number) => Math.max(0, resetsAt - Date.now());
  // A key may hold what a client typed (a login, up to a body's size): stored as its digest, so
  // rows stay small (an index entry has a size limit) and hold no one's login.
  const id = (key: string) => `${scope}:${createHash("sha256").update(key).digest("base64url")}`;
  return {
    consume: async (key) => {
      const now = Date.now();
      const row = await storage.write((trx) =>
        trx
          .insertInto("rate_windows")
          .values({ key: id(key), consumed: 1, resets_at: now + WINDOW_MS })
          .onConflict((conflict) =>
            conflict.column("key").doUpdateSet({
              consumed: sql`case when rate_windows.resets_at <= ${now} then 1 else rate_windows.consumed + 1 end`,
              resets_at: sql`case when rate_windows.resets_at <= ${now} then ${now + WINDOW_MS} else rate_windows.resets_at end`,
            }),
          )
          .returning(["consumed", "resets_at"])
          .executeTakeFirstOrThrow(),
      );
      return { consumed: Number(row.consumed), msBeforeNext: left(Number(row.resets_at)) };
    },
    get: async (key) => {
      const row = await storage.read
        .selectFrom("rate_windows")
        .select(["consumed", "resets_at"])
        .where("key", "=", id(key))
        .where("resets_at", ">", Date.now())
        .executeTakeFirst();
      return row
        ? { consumed: Number(row.consumed), msBeforeNext: left(Number(row.resets_at)) }
        : null;
    },
  };
}

/** Deletes up to `limit` windows that are over (the pruner). */
export function pruneRateWindows(trx: Tx, limit: number): Promise<number> {
  const over = trx.selectFrom("rate_windows").select("key").where("resets_at", "<", Date.now());
  return deleteSelected(trx, "rate_windows", "key", over.limit(limit));
}

/** Makes the counters of one limit. */
export type CounterFactory = (scope: string, perMinute: number) => Counters;

/** Memory on SQLite (one node); the shared table on PostgreSQL and PGlite. */
export function countersFor(storage: Storage): CounterFactory {
  return (scope, perMinute) =>
    storage.dialect === "sqlite"
      ? memoryCounters(scope, perMinute)
      : databaseCounters(storage, scope);
}
