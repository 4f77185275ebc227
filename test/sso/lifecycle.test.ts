// What happens to tickets and sessions over time and under faults: background pruning, and a
// failed write between "ticket used" and "session created" leaving nothing half done.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.js";
import { loadSqlite } from "../../src/db/sqlite-driver.js";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  pruneNow,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import {
  mint,
  redeem,
  type SsoFixture,
  sessionCookie,
  ssoFixture,
  ticketStatus,
  verify,
} from "../helpers/sso.js";

const SQLite = loadSqlite();

const DAY = 24 * 3600 * 1000;

describe.each(dialects)("pruning on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  beforeEach(async () => {
    t = await testApp(dialect);
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("removes expired tickets, old sessions and old audit entries in batches, and nothing live", async () => {
    const options = { ticketRetentionDays: 7, auditRetentionDays: 30, batchSize: 2 };
    const old = [];
    for (let i = 0; i < 5; i++) old.push(await mint(t.app, f, { user: { id: `old-${i}` } }));
    const used = await mint(t.app, f, { user: { id: "used" } });
    const cookie = sessionCookie(await redeem(t.app, used.ticket));
    t.clock.advance(7 * DAY + 6 * 3600_000);
    f.token = await accessTokenFor(t.app, f); // the old one lasted 24 h
    const fresh = await mint(t.app, f, { user: { id: "fresh" } });

    // The session is past its 12-hour limit but inside retention: kept for the partner's view.
    expect(await pruneNow(t.app, options)).toEqual({
      tickets: 5,
      sessions: 0,
      audit: 0,
      oidc: 0,
      outbox: 0,
      saml: 0,
      saml_logout_deliveries: 0,
      saml_sessions: 0,
      webhooks: 0,
      callbacks: 0,
    });
    const left = await t.database.read.selectFrom("tickets").select("id").orderBy("id").execute();
    expect(left.map((r) => r.id).sort()).toEqual([used.id, fresh.id].sort());
    expect((await ticketStatus(t.app, f, fresh.id)).status).toBe("issued");
    expect((await verify(t.app, cookie)).statusCode).toBe(401);

    t.clock.advance(31 * DAY);
    const result = await pruneNow(t.app, options);
    expect(result.sessions).toBe(1);
    expect(result.tickets).toBe(2);
    expect(result.audit).toBeGreaterThan(0);
    expect(await t.database.read.selectFrom("audit_log").select("id").execute()).toEqual([]);
    // Users stay: they are the partner's, not history.
    expect((await t.database.read.selectFrom("users").select("id").execute()).length).toBe(7);
  });

  it("keeps a ticket while the session it made is alive", async () => {
    const long = await domainsOf(t.app).apps.create({
      name: "Long",
      baseUrl: "https://long.example",
      sessionAbsoluteSeconds: 30 * 24 * 3600,
      sessionIdleSeconds: 30 * 24 * 3600,
    });
    const minted = await mint(t.app, f, { app: long.id });
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    t.clock.advance(10 * DAY);
    await pruneNow(t.app, { ticketRetentionDays: 7, auditRetentionDays: 90 });
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
  });
});

describe("faults during redemption (SQLite)", () => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  it("rolls back the ticket's use when the session cannot be written; a retry gives one session", async () => {
    t = await testApp("sqlite");
    const f = await ssoFixture(t.app);
    const minted = await mint(t.app, f);
    // Make the session insert fail inside the redemption's transaction.
    await t.database.write((trx) =>
      sql`create trigger fail_sessions before insert on sessions begin select raise(abort, 'disk on fire'); end`.execute(
        trx,
      ),
    );
    const failed = await redeem(t.app, minted.ticket);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain("disk on fire");
    expect((await ticketStatus(t.app, f, minted.id)).status).toBe("issued");
    await t.database.write((trx) => sql`drop trigger fail_sessions`.execute(trx));
    const retried = await redeem(t.app, minted.ticket);
    expect(retried.statusCode).toBe(303);
    expect(await t.database.read.selectFrom("sessions").select("id").execute()).toHaveLength(1);
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(410);
  });

  it("answers 503 while another process holds the write lock, and a retry gives one session (SECURITY row 43)", {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-busy-"));
    const file = join(dir, "busy.db");
    const database = await openDatabase(`sqlite:${file}`);
    t = await testApp("sqlite", { databaseUrl: `sqlite:${file}` }, database);
    const f = await ssoFixture(t.app);
    const minted = await mint(t.app, f);
    // Another process (here, another connection) takes the write lock and keeps it.
    const other = new SQLite(file);
    other.pragma("busy_timeout = 0");
    other.exec("begin immediate");
    try {
      const busy = await redeem(t.app, minted.ticket);
      expect(busy.statusCode).toBe(503);
      expect(busy.headers["retry-after"]).toBeDefined();
      expect(busy.body).toContain("has not been used");
    } finally {
      other.exec("rollback");
      other.close();
    }
    expect((await ticketStatus(t.app, f, minted.id)).status).toBe("issued");
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(410);
    expect(await t.database.read.selectFrom("sessions").select("id").execute()).toHaveLength(1);
  });
});
