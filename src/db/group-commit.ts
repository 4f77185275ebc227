// Group commit for SQLite: concurrent write transactions share one COMMIT, and so one disk flush.
// A flush per batch instead of one per request is what lets mint and redemption scale without
// weakening durability: nobody is answered before the COMMIT that holds their writes returned,
// and at synchronous=FULL that COMMIT returns only once the WAL is on disk.
import { type Kysely, sql } from "kysely";
import type { Tx } from "./database.js";
import type { Tables } from "./schema.js";

type Job = {
  work: (trx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  maxBatch?: number;
  /**
   * How long BEGIN IMMEDIATE keeps trying while another process holds SQLite's write lock, in ms;
   * the waiting is on timers, never on the event loop. Then the batch fails (SQLITE_BUSY: 503).
   */
  busyMs?: number;
}

const isBusy = (error: unknown) => (error as { code?: unknown } | null)?.code === "SQLITE_BUSY";

export class GroupCommit {
  #queue: Job[] = [];
  #running = false;
  readonly #maxBatch: number;
  readonly #busyMs: number;

  /** `db` is the connection that writes; nothing else may use it (src/db/sqlite.ts). */
  constructor(
    private readonly db: Kysely<Tables>,
    options: GroupCommitOptions = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 256;
    this.#busyMs = options.busyMs ?? 1000;
  }

  /**
   * Runs `work` inside a transaction shared with other callers. Each caller's work sits in its
   * own savepoint, so one failing (a lost race, a constraint) rolls back only its own writes.
   */
  run<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        let outcomes: Outcome[];
        try {
          outcomes = await this.#commit(batch);
        } catch (error) {
          // BEGIN or COMMIT failed: nothing of this batch is stored; every caller hears so.
          for (const job of batch) job.reject(error);
          continue;
        }
        batch.forEach((job, i) => {
          const outcome = outcomes[i] as Outcome;
          if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        });
      }
    } finally {
      this.#running = false;
    }
  }

  #commit(batch: Job[]): Promise<Outcome[]> {
    return this.db.connection().execute(async (trx) => {
      await this.#begin(trx);
      const done: Outcome[] = [];
      try {
        for (const job of batch) {
          await sql`savepoint handoff_job`.execute(trx);
          try {
            const value = await job.work(trx);
            await sql`release savepoint handoff_job`.execute(trx);
            done.push({ ok: true, value });
          } catch (error) {
            await sql`rollback to savepoint handoff_job`.execute(trx);
            await sql`release savepoint handoff_job`.execute(trx);
            done.push({ ok: false, error });
          }
        }
        await sql`commit`.execute(trx);
      } catch (error) {
        await sql`rollback`.execute(trx).catch(() => undefined);
        throw error;
      }
      return done;
    });
  }

  /** Takes the write lock up front, so a batch waits (on timers) in one place, not per job. */
  async #begin(trx: Kysely<Tables>): Promise<void> {
    const deadline = Date.now() + this.#busyMs;
    for (;;) {
      try {
        await sql`begin immediate`.execute(trx);
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      }
    }
  }
}
