// The storage seam: every domain reads through `read` and writes through `write(work)`, on SQLite,
// PostgreSQL or PGlite alike. Nothing else of the connection is reachable from a service.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { SqliteSynchronous } from "../config.js";
import type { Tables } from "./schema.js";

/** A change other processes must hear of: which cached things to forget (src/db/changes.ts). */
export type Change =
  /** One session ended (logout, replaced, revoked). */
  | { topic: "session"; key: string }
  /** Many sessions ended at once (a user's, a suspended partner's). */
  | { topic: "sessions" }
  /** Partner standing or credentials changed: tokens revoked or rotated, status, expiry, links. */
  | { topic: "credentials" }
  | { topic: "app"; key: string }
  /** Signing keys rotated or revoked. */
  | { topic: "keys" }
  /** A webhook endpoint was added or removed: who listens to which events changed. */
  | { topic: "webhooks" }
  /** The feed may have missed something: drop everything. */
  | { topic: "all" };

export type ChangeListener = (change: Change) => void;

/** How a cache hears of changes: from this process after commit, and from every other process. */
export interface ChangeFeed {
  /** Calls `listener` for every change, local or not; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void;
  /** Tells this process's listeners (after a local commit, or when another process's is heard). */
  publish(changes: readonly Change[]): void;
  /** Writes `changes` inside the transaction that made them. */
  record(trx: Tx, changes: readonly Change[]): Promise<void>;
  /** True while every change committed more than a second ago has been heard. */
  readonly current: boolean;
  close(): Promise<void>;
}

export type DialectName = "sqlite" | "postgres" | "pglite";

/** Reads outside any transaction: select queries (and prepared ones) only. */
export type Reader = Pick<Kysely<Tables>, "selectFrom" | "getExecutor">;

/** What write work may use: the transaction's own query builders, never the root connection. */
export type Tx = Pick<
  Kysely<Tables>,
  "selectFrom" | "insertInto" | "updateTable" | "deleteFrom" | "getExecutor"
>;

/**
 * A unit of writing. It runs inside a transaction (on SQLite, a savepoint of a shared one) and
 * may run more than once (PostgreSQL retries a deadlock victim), so it has no effect outside
 * `trx` except telling `changed` what other processes must forget from their caches.
 */
export type WriteWork<T> = (trx: Tx, changed: (change: Change) => void) => Promise<T>;

/** What a domain's store and service receive. */
export interface Storage {
  readonly dialect: DialectName;
  /** The reader. Reading it inside write work throws: that work reads through its `trx`. */
  readonly read: Reader;
  /**
   * Runs `work` in a write transaction and answers once it is committed (and, on SQLite at FULL,
   * on disk). The changes it named reach this process's caches before the caller hears, and
   * every other process's within a second.
   */
  write<T>(work: WriteWork<T>): Promise<T>;
  readonly changes: ChangeFeed;
}

export interface Database extends Storage {
  /** Brings the schema up to date (on the connection that writes). */
  migrate(): Promise<string[]>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  /** The connection pool's use (PostgreSQL), for /metrics; null where there is no pool. */
  pool(): { total: number; idle: number; waiting: number } | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  sqliteSynchronous?: SqliteSynchronous;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /**
   * PostgreSQL: run queries as named statements, planned once per connection (default true).
   * False for a PgBouncer older than 1.21 in transaction mode (HANDOFF_PG_NAMED_STATEMENTS=0).
   */
  namedStatements?: boolean;
  /** How often another process's changes are looked for, in ms (SQLite; default 250). */
  changePollMs?: number;
  /**
   * Makes `read` throw when used from inside write work (the tests turn it on, on every dialect).
   * Such a read would not see the work's own rows, and on a one-connection database (PGlite) it
   * would wait for the very transaction that waits for it. Off in production: it needs an
   * AsyncLocalStorage, which on Node 20 and 22 turns on promise hooks for the whole process and
   * cost 8 to 15 % of CPU per request on every route (measured, docs/performance.md).
   */
  checkReads?: boolean;
}

/**
 * The parts every dialect shares: the read guard, and wrapping write work so the changes it names
 * are recorded in its transaction and published to this process once it is committed.
 */
export function storageParts(options: OpenOptions, reader: Reader, changes: ChangeFeed) {
  const inWrite = options.checkReads ? new AsyncLocalStorage<true>() : null;
  return {
    get read(): Reader {
      if (inWrite?.getStore()) {
        throw new Error("write work read outside its transaction: query through trx instead");
      }
      return reader;
    },
    /** Wraps `work` for one attempt; `published` runs after the commit with what it named. */
    job<T>(work: WriteWork<T>): (trx: Tx) => Promise<{ value: T; named: Change[] }> {
      return async (trx) => {
        const named: Change[] = [];
        const run = () => work(trx, (change) => named.push(change));
        const value = inWrite ? await inWrite.run(true, run) : await run();
        if (named.length > 0) await changes.record(trx, named);
        return { value, named };
      };
    },
  };
}

/** A unique constraint refused the write (SQLite and PostgreSQL): someone else got there first. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}
