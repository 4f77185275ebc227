// Opens the configured database (SQLite, PostgreSQL or PGlite) behind one Kysely type.
import { mkdirSync, statSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { SqliteSynchronous } from "../config.js";
import { Checkpointer, type CheckpointResult } from "./checkpoint.js";
import { GroupCommit, type WriteWork } from "./group-commit.js";
import { runDirectly } from "./prepared.js";
import type { Tables } from "./schema.js";
import { loadSqlite } from "./sqlite-driver.js";

export type DialectName = "sqlite" | "postgres" | "pglite";

export interface Database {
  db: Kysely<Tables>;
  dialect: DialectName;
  /**
   * Runs `work` in a write transaction. On SQLite concurrent callers share one commit (group
   * commit); on PostgreSQL each gets its own transaction, run again if PostgreSQL aborts it as a
   * deadlock victim. So `work` must query only through `trx` and have no other effects.
   */
  write<T>(work: WriteWork<T>): Promise<T>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  sqliteSynchronous?: SqliteSynchronous;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /** Told if SQLite's checkpoint worker fails (SQLite then checkpoints inside commits again). */
  onCheckpointFailure?: (message: string) => void;
  /** Tuning of SQLite's checkpoint worker (src/db/checkpoint.ts); the defaults suit production. */
  checkpoint?: { catchUpFrames?: number; minIntervalMs?: number };
}

const INT8_OID = 20;
const STATEMENT_CACHE_SIZE = 500;
const NUMERIC_OID = 1700;

/** Opens a database from a `sqlite:`, `postgres://` or `pglite:` URL. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith("sqlite:")) return openSqlite(url.slice("sqlite:".length), options);
  if (url.startsWith("pglite:")) return openPglite(url.slice("pglite:".length));
  return openPostgres(url, options);
}

async function openSqlite(path: string, options: OpenOptions): Promise<Database> {
  const SQLite = loadSqlite();
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const native = new SQLite(path);
  native.pragma("journal_mode = WAL");
  // FULL: a commit is on disk before the response leaves, so a redeemed ticket stays redeemed
  // even after power loss, not only after a process crash (NORMAL's guarantee in WAL mode).
  const synchronous = options.sqliteSynchronous ?? "FULL";
  native.pragma(`synchronous = ${synchronous}`);
  native.pragma("busy_timeout = 5000");
  native.pragma("foreign_keys = ON");
  // 64 MiB of page cache (the default is 2 MiB): with millions of tickets and users the index
  // pages a request touches stay in memory, so a big database costs about what an empty one does.
  native.pragma("cache_size = -65536");
  // Kysely prepares every query afresh; preparing costs more than running an indexed lookup, so
  // keep prepared statements by SQL text. Safe: Kysely runs one statement at a time per connection.
  const statements = new Map<string, ReturnType<typeof native.prepare>>();
  const database = {
    close: () => native.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = native.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  // Prepared reads on the root run directly while no transaction is open on the connection (one
  // is open only inside a batch or a Kysely transaction, whose uncommitted rows must stay unseen).
  runDirectly(db, (text, parameters) => {
    if (native.inTransaction) return undefined;
    const statement = database.prepare(text);
    return statement.reader ? runNow(statement, parameters) : undefined;
  });
  // At FULL, group commits flush the WAL off the main thread (same guarantee; see group-commit.ts).
  const wal = synchronous === "FULL" && path !== ":memory:" ? walFlush(resolve(path)) : null;
  // Checkpoints run on a worker thread (src/db/checkpoint.ts), not inside a commit.
  const checkpointer =
    path === ":memory:"
      ? null
      : new Checkpointer({
          ...options.checkpoint,
          path: resolve(path),
          autocheckpoint: (pages) => native.pragma(`wal_autocheckpoint = ${pages}`),
          checkpointHere: async () => {
            const { rows } = await sql<CheckpointResult>`pragma wal_checkpoint(PASSIVE)`.execute(
              db,
            );
            return rows[0] ?? { busy: 1, log: 0, checkpointed: 0 };
          },
          onFailure:
            options.onCheckpointFailure ??
            ((message) =>
              process.emitWarning(`SQLite checkpoints are back inside commits: ${message}`, {
                code: "HANDOFF_CHECKPOINT_WORKER",
              })),
        });
  const group = new GroupCommit(db, {
    synchronous,
    // A batch holds the connection for as long as its transaction is open.
    direct: (text, parameters) => runNow(database.prepare(text), parameters),
    ...(wal && { flush: wal.flush }),
    ...(checkpointer && { committed: () => checkpointer.committed() }),
  });
  return {
    db,
    dialect: "sqlite",
    write: (work) => group.run(work),
    ping: async () => {
      if (group.failed) throw group.failed;
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
      await wal?.close();
    },
  };
}

/** What Kysely's SQLite driver does with a statement, without its promise. */
function runNow(
  statement: BetterSqlite3.Statement,
  parameters: readonly unknown[],
): { rows: unknown[]; numAffectedRows: number } {
  if (statement.reader) return { rows: statement.all(parameters), numAffectedRows: 0 };
  return { rows: [], numAffectedRows: statement.run(parameters).changes };
}

/**
 * Flushes `path`'s WAL to disk; the first time also the directory that holds its name. The WAL
 * stays open between flushes (one thread-pool trip per flush, not three); SQLite keeps that file
 * while any connection is open, and a changed inode (the file replaced) makes it open again.
 */
function walFlush(path: string): { flush(): Promise<void>; close(): Promise<void> } {
  const wal = `${path}-wal`;
  let handle: FileHandle | null = null;
  let inode = -1;
  let directorySynced = false;
  let last: Promise<void> = Promise.resolve();
  const flush = () => {
    last = flushOnce();
    return last;
  };
  const flushOnce = async () => {
    const current = statSync(wal).ino;
    if (!handle || current !== inode) {
      await handle?.close();
      handle = await open(wal, "r");
      inode = (await handle.stat()).ino;
      if (inode !== current) throw new Error(`${wal} changed while it was opened`);
    }
    await handle.datasync();
    if (!directorySynced) {
      const directory = await open(dirname(path), "r");
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
      directorySynced = true;
    }
  };
  const close = async () => {
    await last.catch(() => undefined);
    await handle?.close();
    handle = null;
  };
  return { flush, close };
}

async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const pg = await import("pg");
  const pool = new pg.default.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    // bigint columns hold epoch milliseconds, well inside Number's exact range.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.default.types.getTypeParser(oid, format)) as typeof pg.default.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: "postgres",
    write: (work) => retryConflicts(() => db.transaction().execute(work)),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** deadlock_detected and serialization_failure: PostgreSQL rolled the transaction back whole. */
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 4;

/**
 * Runs a transaction again when PostgreSQL aborted it as a deadlock victim (or a serialization
 * failure), as PostgreSQL's documentation advises: nothing of it was kept, and concurrent
 * single-use checks (an OIDC code or refresh token used twice at once) can lock rows in
 * different orders. After the last attempt the error goes to the caller.
 */
async function retryConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

async function openPglite(where: string): Promise<Database> {
  const { PGlite, types } = await import("@electric-sql/pglite");
  const { PGliteDialect } = await import("kysely-pglite-dialect");
  const client = new PGlite(where === "memory" ? undefined : where, {
    parsers: {
      [types.INT8]: (value: string) => Number(value),
      [NUMERIC_OID]: (value: string) => Number(value),
    },
  });
  await client.waitReady;
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(client) });
  return {
    db,
    dialect: "pglite",
    write: (work) => db.transaction().execute(work),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
