// The storage seam: every domain reads through `read` and writes through `write(work)`, on SQLite,
// PostgreSQL or PGlite alike. Nothing else of the connection is reachable from a service.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { SqliteSynchronous } from "../config.js";
import type { Change, ChangeFeed } from "./changes.js";
import type { Tables } from "./schema.js";

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
  close(): Promise<void>;
}

export interface OpenOptions {
  sqliteSynchronous?: SqliteSynchronous;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /**
   * Makes `read` throw when used from inside write work (tests turn it on). Such a read would
   * wait for the very transaction that waits for it on a one-connection database.
   */
  checkReads?: boolean;
  /** How often another process's changes are looked for, in ms (SQLite; default 250). */
  changePollMs?: number;
}

/** Opens a database from a `sqlite:`, `postgres://` or `pglite:` URL. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith("sqlite:")) {
    const { openSqlite } = await import("./sqlite.js");
    return openSqlite(url.slice("sqlite:".length), options);
  }
  const { openPglite, openPostgres } = await import("./postgres.js");
  if (url.startsWith("pglite:")) return openPglite(url.slice("pglite:".length), options);
  return openPostgres(url, options);
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
