// Builds isolated apps on every dialect: SQLite in memory, one PGlite per test file, and a real
// PostgreSQL when HANDOFF_TEST_POSTGRES_URL is set (CI).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { type BuildOptions, buildHandoff, type Handoff } from "../../src/app.js";
import { ManualClock } from "../../src/clock.js";
import { type Config, testConfig } from "../../src/config.js";
import type { Database, DialectName } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open.js";

const allDialects: DialectName[] = process.env.HANDOFF_TEST_POSTGRES_URL
  ? ["sqlite", "pglite", "postgres"]
  : ["sqlite", "pglite"];

/**
 * The dialects the storage-dependent tests run on. HANDOFF_TEST_DIALECTS (comma-separated)
 * narrows them: CI's passes on later Node.js lines run SQLite only, since the storage logic does
 * not change with Node (the full matrix runs on Node 20).
 */
export const dialects: DialectName[] = process.env.HANDOFF_TEST_DIALECTS
  ? allDialects.filter((d) => process.env.HANDOFF_TEST_DIALECTS?.split(",").includes(d))
  : allDialects;

const shared = new Map<DialectName, Promise<Database>>();

/** Tests read through `read` inside write work at their peril: it throws (src/db/database.ts). */
const options = { checkReads: true } as const;

async function openShared(dialect: "pglite" | "postgres"): Promise<Database> {
  if (dialect === "pglite") return openDatabase("pglite:memory", options);
  const url = new URL(process.env.HANDOFF_TEST_POSTGRES_URL as string);
  // One database per test file, so parallel files never see each other's rows or tables.
  const name = `handoff_test_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase(url.href);
  await sql`create database ${sql.id(name)}`.execute(admin.read);
  await admin.close();
  url.pathname = `/${name}`;
  return openDatabase(url.href, options);
}

/**
 * A SQLite file of its own in a temporary directory, removed on close: the same two connections
 * (one writing, one reading) as production. NORMAL: no disk flush per commit in tests.
 */
export async function sqliteTestDatabase(): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), "handoff-test-"));
  const database = await openDatabase(`sqlite:${join(dir, "handoff.db")}`, {
    ...options,
    sqliteSynchronous: "NORMAL",
  });
  return Object.create(database, {
    close: {
      value: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  }) as Database;
}

/** A database for one test app: fresh SQLite, or the file's shared PostgreSQL emptied. */
export async function testDatabase(dialect: DialectName): Promise<Database> {
  if (dialect === "sqlite") return sqliteTestDatabase();
  let pending = shared.get(dialect);
  if (!pending) {
    pending = openShared(dialect).then(async (database) => {
      await database.migrate();
      return database;
    });
    shared.set(dialect, pending);
  }
  const database = await pending;
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tablename not like 'handoff_migrations%'`.execute(
    database.read,
  );
  if (tables.rows.length > 0) {
    await database.write((trx) =>
      sql`truncate ${sql.join(tables.rows.map((t) => sql.id(t.tablename)))} cascade`.execute(trx),
    );
  }
  // The shared database outlives each app; the test file's process ends it.
  return Object.create(database, { close: { value: async () => {} } }) as Database;
}

/** A minimal active partner row, for tests that write straight to the tables. */
export const partnerRow = (id: string) => ({
  id,
  name: id,
  status: "active" as const,
  contract_expires_at: null,
  created_at: 1,
  updated_at: 1,
});

/** Each test app's composition, for tests that set up through the domains (never the routes). */
const handoffs = new WeakMap<FastifyInstance, Handoff>();

/** Builds an app as src/app.ts does, remembering its domains for `domainsOf`. */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const handoff = await buildHandoff(config, options);
  handoffs.set(handoff.app, handoff);
  return handoff.app;
}

function handoffOf(app: FastifyInstance): Handoff {
  const handoff = handoffs.get(app);
  if (!handoff) throw new Error("not an app built by test/helpers/app.ts");
  return handoff;
}

/** The domain services an app was composed of. */
export function domainsOf(app: FastifyInstance): Handoff["domains"] {
  return handoffOf(app).domains;
}

/** Runs the pruner now, with the app's retention or `options`. */
export function pruneNow(
  app: FastifyInstance,
  options?: Parameters<Handoff["pruneNow"]>[0],
): ReturnType<Handoff["pruneNow"]> {
  return handoffOf(app).pruneNow(options);
}

export interface TestApp {
  app: FastifyInstance;
  clock: ManualClock;
  config: Config;
  database: Database;
  logs: string[];
}

/** An app on the given dialect with a manual clock and its log lines captured. */
export async function testApp(
  dialect: DialectName,
  overrides: Partial<Config> = {},
  /** A database opened by the test itself (a SQLite file, say); else a fresh one per dialect. */
  given?: Database,
): Promise<TestApp> {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12, 0, 0));
  const config = testConfig({ logLevel: "info", ...overrides });
  const database = given ?? (await testDatabase(dialect));
  const logs: string[] = [];
  const app = await buildApp(config, {
    clock,
    database,
    logStream: { write: (line) => logs.push(line) },
  });
  await app.ready();
  return { app, clock, config, database, logs };
}

export interface PartnerFixture {
  partnerId: string;
  partnerToken: string;
  apiToken: string;
  apiTokenId: string;
}

/** A partner with its partner token and one API token. */
export async function makePartner(
  app: FastifyInstance,
  name = "Acme Rewards",
): Promise<PartnerFixture> {
  const { partner, partnerToken } = await domainsOf(app).partners.create({ name });
  const { apiToken, token } = await domainsOf(app).partners.createApiToken(partner.id, {
    name: "backend",
  });
  return { partnerId: partner.id, partnerToken, apiToken: token, apiTokenId: apiToken.id };
}

/** Exchanges a partner's credentials through the native API and returns the access token. */
export async function accessTokenFor(
  app: FastifyInstance,
  partner: PartnerFixture,
): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: "/v1/auth/token",
    payload: { partner_token: partner.partnerToken, api_token: partner.apiToken },
  });
  if (response.statusCode !== 200) throw new Error(`exchange failed: ${response.body}`);
  return response.json<{ access_token: string }>().access_token;
}
