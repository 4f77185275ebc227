// SQLite, the embedded default: one connection that writes (group commit, src/db/group-commit.ts)
// and one that only reads. In WAL mode a reader never waits for the writer nor sees its
// uncommitted rows, so a read can never queue behind, or deadlock with, an open batch.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { LocalFeed, PolledFeed } from "./changes.js";
import { type ChangeFeed, type Database, type OpenOptions, storageParts } from "./database.js";
import { GroupCommit } from "./group-commit.js";
import { migrateToLatest } from "./migrate.js";
import type { Tables } from "./schema.js";
import { loadSqlite } from "./sqlite-driver.js";

const STATEMENT_CACHE_SIZE = 500;
/** How long a read may wait on a lock (rare in WAL mode: recovery after a crash). */
const READ_BUSY_MS = 200;
/** Migrations of two processes starting at once wait for each other this long. */
const MIGRATE_BUSY_MS = 10_000;

/** The data directory private to the service's user (0700) and the database file too (0600). */
function privateFiles(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // SQLite gives the -wal and -shm files the database file's mode.
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  else if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  for (const suffix of ["-wal", "-shm"]) {
    const file = `${path}${suffix}`;
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

function connect(native: BetterSqlite3.Database, busyMs: number): Kysely<Tables> {
  native.pragma("journal_mode = WAL");
  native.pragma(`busy_timeout = ${busyMs}`);
  native.pragma("foreign_keys = ON");
  // 64 MiB of page cache (the default is 2 MiB): with millions of tickets and users the index
  // pages a request touches stay in memory, so a big database costs about what an empty one does.
  native.pragma("cache_size = -65536");
  // Kysely prepares every query afresh; preparing costs more than running an indexed lookup, so
  // keep prepared statements by SQL text. Safe: Kysely runs one statement at a time per connection.
  const statements = new Map<string, BetterSqlite3.Statement>();
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
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
}

export async function openSqlite(path: string, options: OpenOptions): Promise<Database> {
  const SQLite = loadSqlite();
  const memory = path === ":memory:";
  if (!memory) privateFiles(path);
  const writerNative = new SQLite(path);
  // FULL: a commit is on disk before anyone hears of it, so a redeemed ticket stays redeemed
  // after power loss, not only after a process crash (NORMAL's guarantee in WAL mode).
  writerNative.pragma(`synchronous = ${options.sqliteSynchronous ?? "FULL"}`);
  // No busy wait on the event loop: BEGIN IMMEDIATE retries on timers (group-commit.ts).
  const writer = connect(writerNative, 0);
  let reader = writer;
  if (!memory) {
    const readerNative = new SQLite(path);
    reader = connect(readerNative, READ_BUSY_MS);
    // The reader cannot write, whatever a caller tries.
    readerNative.pragma("query_only = 1");
  }
  const group = new GroupCommit(writer);
  const changes: ChangeFeed = memory
    ? new LocalFeed()
    : new PolledFeed(() => reader, options.changePollMs ?? 250);
  const parts = storageParts(options, reader, changes);
  const database: Database = {
    dialect: "sqlite",
    get read() {
      return parts.read;
    },
    changes,
    write: async (work) => {
      const { value, named } = await group.run(parts.job(work));
      changes.publish(named);
      return value;
    },
    migrate: async () => {
      writerNative.pragma(`busy_timeout = ${MIGRATE_BUSY_MS}`);
      try {
        return await migrateToLatest(writer);
      } finally {
        writerNative.pragma("busy_timeout = 0");
      }
    },
    ping: async () => {
      await sql`select 1`.execute(reader);
    },
    pool: () => null,
    close: async () => {
      await changes.close();
      if (reader !== writer) await reader.destroy();
      await writer.destroy();
    },
  };
  return database;
}
