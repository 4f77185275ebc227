// Group commit for SQLite: concurrent write transactions share one COMMIT, and so one fsync.
// With synchronous=FULL a commit costs a disk flush; flushing once per batch instead of once per
// request is what lets mint and redemption scale, without weakening durability: every caller's
// promise settles only after the commit that holds its writes.
import { type Kysely, sql, type Transaction } from "kysely";
import type { Tables } from "./schema.js";

export type WriteWork<T> = (trx: Transaction<Tables>) => Promise<T>;

interface Job {
  work: WriteWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  #queue: Job[] = [];
  #running = false;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly maxBatch = 256,
  ) {}

  /**
   * Runs `work` inside a transaction shared with other callers. Each caller's work sits in its
   * own savepoint, so one failing (a lost race, a constraint) rolls back only its own writes;
   * the batch commits once. The work must use only `trx` for its queries.
   */
  run<T>(work: WriteWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.maxBatch);
        let outcomes: Outcome[];
        try {
          outcomes = await this.db.transaction().execute(async (trx) => {
            const done: Outcome[] = [];
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
            return done;
          });
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
}
