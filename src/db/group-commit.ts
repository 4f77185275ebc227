// Group commit for SQLite: concurrent write transactions share one COMMIT, and so one disk flush.
// A flush per batch instead of one per request is what lets mint and redemption scale, without
// weakening durability: every caller's promise settles only after the flush that holds its writes.
//
// With a `flush` (file databases at synchronous=FULL), a batch commits at synchronous=NORMAL, so
// COMMIT only writes the WAL, and the WAL is then flushed to disk (fdatasync) on libuv's thread
// pool while the main thread serves requests and runs the next batch. Callers hear only after
// that flush: the same guarantee as FULL (nobody is told of a write that a power loss could
// undo), without blocking the event loop for a disk flush per batch.
import { type Kysely, sql, type Transaction } from "kysely";
import { type DirectRunner, runDirectly } from "./prepared.js";
import type { Tables } from "./schema.js";

export type WriteWork<T> = (trx: Transaction<Tables>) => Promise<T>;

interface Job {
  work: WriteWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  maxBatch?: number;
  /**
   * Makes committed batches durable (see the file's comment). When given, batches commit at
   * synchronous=NORMAL and the connection returns to `synchronous` after each.
   */
  flush?: () => Promise<void>;
  /** The connection's own setting, restored after each batch (default FULL). */
  synchronous?: string;
  /** Called after each batch commits, before its flush, with no transaction open. */
  committed?: () => void;
  /**
   * Runs a statement synchronously on the batch's connection. Given, the batch's savepoints and
   * its jobs' prepared queries use it instead of Kysely's layers (src/db/prepared.ts).
   */
  direct?: DirectRunner;
}

/** The error every write gets once a flush has failed: the disk can no longer be trusted. */
export class StorageFailed extends Error {
  constructor(cause: unknown) {
    super("a disk flush failed; writes are refused until the process restarts", { cause });
    this.name = "StorageFailed";
  }
}

/**
 * Coalesces flushes: `flush()` resolves after a flush that began after the call. While one is
 * running, every caller shares the next one, so there are at most two in play.
 */
class Flusher {
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(private readonly sync: () => Promise<void>) {}

  flush(): Promise<void> {
    if (!this.#running) {
      this.#running = this.sync().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = null;
        return this.flush();
      });
    return this.#next;
  }
}

export class GroupCommit {
  #queue: Job[] = [];
  #running = false;
  #failed: StorageFailed | null = null;
  readonly #maxBatch: number;
  readonly #flusher: Flusher | null;
  readonly #synchronous: string;
  readonly #committed: (() => void) | undefined;
  readonly #direct: DirectRunner | undefined;

  constructor(
    private readonly db: Kysely<Tables>,
    options: GroupCommitOptions = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 256;
    this.#flusher = options.flush ? new Flusher(options.flush) : null;
    this.#synchronous = options.synchronous ?? "FULL";
    this.#committed = options.committed;
    this.#direct = options.direct;
  }

  /** Set once a flush failed: writes are refused and /readyz fails from then on. */
  get failed(): StorageFailed | null {
    return this.#failed;
  }

  /**
   * Runs `work` inside a transaction shared with other callers. Each caller's work sits in its
   * own savepoint, so one failing (a lost race, a constraint) rolls back only its own writes;
   * the batch commits once. The work must use only `trx` for its queries.
   */
  run<T>(work: WriteWork<T>): Promise<T> {
    if (this.#failed) return Promise.reject(this.#failed);
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
        const batch = this.#queue.splice(0, this.#maxBatch);
        let outcomes: Outcome[];
        try {
          outcomes = await this.#commit(batch);
        } catch (error) {
          // BEGIN or COMMIT failed: nothing of this batch is stored; every caller hears so.
          for (const job of batch) job.reject(error);
          continue;
        }
        this.#committed?.();
        const settle = () =>
          batch.forEach((job, i) => {
            const outcome = outcomes[i] as Outcome;
            if (outcome.ok) job.resolve(outcome.value);
            else job.reject(outcome.error);
          });
        if (!this.#flusher) {
          settle();
          continue;
        }
        // The next batch runs while this one's flush is on the thread pool.
        this.#flusher.flush().then(settle, (error: unknown) => {
          this.#failed ??= new StorageFailed(error);
          for (const job of batch) job.reject(this.#failed);
        });
      }
    } finally {
      this.#running = false;
    }
  }

  /** One transaction for the batch, on one connection so the synchronous setting is its own. */
  #commit(batch: Job[]): Promise<Outcome[]> {
    if (this.#failed) return Promise.reject(this.#failed);
    const direct = this.#direct;
    const statement = async (trx: Transaction<Tables>, text: string) => {
      if (direct) direct(text, []);
      else await sql.raw(text).execute(trx);
    };
    const transaction = (db: Kysely<Tables>) =>
      db.transaction().execute(async (trx) => {
        const release = direct ? runDirectly(trx, direct) : undefined;
        const done: Outcome[] = [];
        try {
          for (const job of batch) {
            await statement(trx, "savepoint handoff_job");
            try {
              const value = await job.work(trx);
              await statement(trx, "release savepoint handoff_job");
              done.push({ ok: true, value });
            } catch (error) {
              await statement(trx, "rollback to savepoint handoff_job");
              await statement(trx, "release savepoint handoff_job");
              done.push({ ok: false, error });
            }
          }
        } finally {
          release?.();
        }
        return done;
      });
    if (!this.#flusher) return transaction(this.db);
    return this.db.connection().execute(async (connection) => {
      await sql.raw("pragma synchronous = NORMAL").execute(connection);
      try {
        return await transaction(connection);
      } finally {
        await sql.raw(`pragma synchronous = ${this.#synchronous}`).execute(connection);
      }
    });
  }
}
