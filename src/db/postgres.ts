// PostgreSQL (the way out of one machine: stateless nodes on one database) and PGlite (the same
// dialect embedded, for tests). Changes reach other nodes by LISTEN/NOTIFY.
import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { BaseFeed, decodeChange, encodeChange, FEED_STALE_MS, LocalFeed } from "./changes.js";
import {
  type Change,
  type ChangeFeed,
  type Database,
  type OpenOptions,
  storageParts,
  type Tx,
} from "./database.js";
import { migrateToLatest } from "./migrate.js";
import { nameStatements } from "./pg-named.js";
import type { Tables } from "./schema.js";

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const CHANNEL = "handoff_changes";
/** The listening connection proves it is alive this often (a NOTIFY never comes on a dead one). */
const HEARTBEAT_MS = 250;

/**
 * deadlock_detected and serialization_failure: PostgreSQL rolled the transaction back whole; and
 * a named statement's plan gone stale under a migration (src/db/pg-named.ts).
 */
const RETRYABLE = new Set(["40P01", "40001", "0A000"]);
const ATTEMPTS = 4;

/**
 * Runs a transaction again when PostgreSQL aborted it as a deadlock victim (or a serialization
 * failure), as PostgreSQL's documentation advises: nothing of it was kept, and concurrent
 * single-use checks (an OIDC code or refresh token used twice at once) can lock rows in
 * different orders. After the last attempt the error goes to the caller.
 */
export async function retryConflicts<T>(run: () => Promise<T>): Promise<T> {
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

/**
 * PostgreSQL's feed: changes are NOTIFYed inside their transaction (delivered only if it commits,
 * in commit order) and heard on one dedicated connection, which runs a heartbeat so a silently
 * dead connection makes the feed stale rather than deaf. After a reconnection, caches drop all.
 */
class NotifyFeed extends BaseFeed {
  #client: pg.Client | null = null;
  #heardAt = 0;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly connect: () => pg.Client) {
    super();
    void this.#listen();
  }

  async record(trx: Tx, changes: readonly Change[]): Promise<void> {
    for (const change of changes) {
      await sql`select pg_notify(${CHANNEL}, ${encodeChange(change)})`.execute(trx);
    }
  }

  get current(): boolean {
    return Date.now() - this.#heardAt < FEED_STALE_MS;
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const client = this.connect();
    this.#client = client;
    client.on("notification", (message) => {
      if (message.channel === CHANNEL && message.payload) {
        this.publish([decodeChange(message.payload)]);
      }
    });
    client.on("error", () => this.#retry(client));
    client.on("end", () => this.#retry(client));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      this.publish([{ topic: "all" }]);
      this.#heartbeat(client);
    } catch {
      this.#retry(client);
    }
  }

  #heartbeat(client: pg.Client): void {
    if (this.#closed || this.#client !== client) return;
    client.query("select 1").then(
      () => {
        this.#heardAt = Date.now();
        this.#timer = setTimeout(() => this.#heartbeat(client), HEARTBEAT_MS);
        this.#timer.unref();
      },
      () => this.#retry(client),
    );
  }

  #retry(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#heardAt = 0;
    void client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#listen(), 1000);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }
}

function parsers(pgTypes: typeof pg.types) {
  // bigint columns hold epoch milliseconds, well inside Number's exact range.
  return ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? (value: string) => Number(value)
      : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser;
}

export async function openPostgres(url: string, options: OpenOptions): Promise<Database> {
  const { default: pgModule } = await import("pg");
  const types = { getTypeParser: parsers(pgModule.types) };
  const pool = new pgModule.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    types,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  if (options.namedStatements !== false) pool.on("connect", nameStatements);
  const db = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool }),
  });
  const changes = new NotifyFeed(
    () => new pgModule.Client({ connectionString: url, types, keepAlive: true }),
  );
  const use = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return assemble("postgres", db, changes, options, (run) => retryConflicts(run), use);
}

export async function openPglite(where: string, options: OpenOptions): Promise<Database> {
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
  // PGlite lives inside this one process: nobody else to tell.
  return assemble(
    "pglite",
    db,
    new LocalFeed(),
    options,
    (run) => run(),
    () => null,
  );
}

function assemble(
  dialect: "postgres" | "pglite",
  db: Kysely<Tables>,
  changes: ChangeFeed,
  options: OpenOptions,
  attempt: <T>(run: () => Promise<T>) => Promise<T>,
  pool: Database["pool"],
): Database {
  const parts = storageParts(options, db, changes);
  return {
    dialect,
    get read() {
      return parts.read;
    },
    changes,
    write: async (work) => {
      const job = parts.job(work);
      const { value, named } = await attempt(() => db.transaction().execute(job));
      changes.publish(named);
      return value;
    },
    migrate: () => migrateToLatest(db),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    pool,
    close: async () => {
      await changes.close();
      await db.destroy();
    },
  };
}
