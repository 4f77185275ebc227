// The write path on SQLite: concurrent writers share a transaction, each in its own savepoint; a
// failing writer loses only its own writes; a failed commit fails every writer of the batch;
// nobody is answered before the COMMIT (at FULL: the flush) that holds their writes; reads never
// wait for, nor see into, an open batch; another process's write lock costs one quick 503.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { GroupCommit } from "../../src/db/group-commit.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { PreparedQuery } from "../../src/db/prepared.js";
import type { Tables } from "../../src/db/schema.js";
import { loadSqlite } from "../../src/db/sqlite-driver.js";
import { partnerRow, sqliteTestDatabase } from "../helpers/app.js";

const insertPartner = new PreparedQuery<unknown, "id">((db, p) =>
  db.insertInto("partners").values({ ...partnerRow("x"), id: p("id") }),
);

describe("group commit (SQLite)", () => {
  let database: Database;
  beforeEach(async () => {
    database = await sqliteTestDatabase();
    await database.migrate();
  });
  afterEach(async () => {
    await database.close();
  });

  it("commits concurrent writers together, and one failure rolls back only its own writes", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        database.write(async (trx) => {
          await trx
            .insertInto("partners")
            .values(partnerRow(`p${i}`))
            .execute();
          if (i % 3 === 0) {
            // A second write of this job, then a failure: both of its writes must vanish.
            await trx
              .insertInto("partners")
              .values(partnerRow(`extra${i}`))
              .execute();
            throw new Error(`job ${i} fails`);
          }
          return i;
        }),
      ),
    );
    const rows = await database.read.selectFrom("partners").select("id").execute();
    const ids = new Set(rows.map((r) => r.id));
    results.forEach((result, i) => {
      if (i % 3 === 0) {
        expect(result).toMatchObject({ status: "rejected", reason: { message: `job ${i} fails` } });
        expect(ids.has(`p${i}`)).toBe(false);
        expect(ids.has(`extra${i}`)).toBe(false);
      } else {
        expect(result).toEqual({ status: "fulfilled", value: i });
        expect(ids.has(`p${i}`)).toBe(true);
      }
    });
    expect(ids.size).toBe(20);
  });

  it("lets a later writer in the same batch see an earlier one's writes (a lost race is seen)", async () => {
    await database.write((trx) =>
      trx.insertInto("partners").values(partnerRow("shared")).execute(),
    );
    const claims = await Promise.all(
      Array.from({ length: 10 }, () =>
        database.write(async (trx) => {
          const result = await trx
            .updateTable("partners")
            .set({ status: "suspended" })
            .where("id", "=", "shared")
            .where("status", "=", "active")
            .executeTakeFirst();
          return Number(result.numUpdatedRows);
        }),
      ),
    );
    expect(claims.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("rolls back a failing job's prepared writes with its savepoint, constraint errors included", async () => {
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("taken")).execute());
    const results = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        database.write(async (trx) => {
          const { numAffectedRows } = await insertPartner.execute(trx, { id: `q${i}` });
          if (i % 3 === 1) throw new Error(`job ${i} fails`);
          if (i % 3 === 2) await insertPartner.execute(trx, { id: "taken" });
          return numAffectedRows;
        }),
      ),
    );
    results.forEach((result, i) => {
      if (i % 3 === 0) expect(result).toEqual({ status: "fulfilled", value: 1 });
      else if (i % 3 === 1) expect(result).toMatchObject({ reason: { message: `job ${i} fails` } });
      else expect(result).toMatchObject({ reason: { code: "SQLITE_CONSTRAINT_PRIMARYKEY" } });
    });
    const rows = await database.read.selectFrom("partners").select("id").orderBy("id").execute();
    expect(rows.map((r) => r.id)).toEqual(["q0", "q3", "q6", "taken"]);
  });

  it("answers a read at once while a batch is open, and never with the batch's uncommitted rows", async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let inserted = () => {};
    const insertedNow = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const job = database.write(async (trx) => {
      await insertPartner.execute(trx, { id: "ghost" });
      inserted();
      await gate;
      throw new Error("rolled back");
    });
    await insertedNow;
    // The batch holds the writing connection; the reader answers from the last commit.
    expect(await database.read.selectFrom("partners").select("id").execute()).toEqual([]);
    open();
    await expect(job).rejects.toThrow("rolled back");
    expect(await database.read.selectFrom("partners").select("id").execute()).toEqual([]);
  });

  it("refuses a read through the reader from inside write work, which would not see its own rows", async () => {
    await expect(
      database.write(async (trx) => {
        await trx.insertInto("partners").values(partnerRow("mine")).execute();
        return database.read.selectFrom("partners").select("id").execute();
      }),
    ).rejects.toThrow("write work read outside its transaction");
    expect(await database.read.selectFrom("partners").select("id").execute()).toEqual([]);
  });

  it("refuses a write through the reader, whatever SQL it is handed", async () => {
    await expect(
      sql`insert into partners (id, name, status, created_at, updated_at) values ('x', 'x', 'active', 1, 1)`.execute(
        database.read,
      ),
    ).rejects.toMatchObject({ code: "SQLITE_READONLY" });
  });

  it("fails every writer of a batch whose commit fails, and stores none of it", async () => {
    // A deferred foreign key fails only at COMMIT, after every job of the batch has succeeded.
    const jobs = Array.from({ length: 5 }, (_, i) =>
      database.write(async (trx) => {
        await sql`pragma defer_foreign_keys = on`.execute(trx);
        await trx
          .insertInto("partner_links")
          .values({ parent_id: `missing${i}`, child_id: `missing${i}x`, created_at: 1 })
          .execute();
        return i;
      }),
    );
    const results = await Promise.allSettled(jobs);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(await database.read.selectFrom("partner_links").selectAll().execute()).toEqual([]);
    // The connection is usable afterwards.
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("after")).execute());
    expect(await database.read.selectFrom("partners").select("id").execute()).toEqual([
      { id: "after" },
    ]);
  });
});

describe("durability and locks (SQLite file)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "handoff-commit-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A writing connection whose statements are recorded, as SQLite runs them. */
  function spiedWriter(path: string, events: string[]) {
    const SQLite = loadSqlite();
    const native = new SQLite(path);
    native.pragma("journal_mode = WAL");
    native.pragma("synchronous = FULL");
    const database = {
      close: () => native.close(),
      prepare: (text: string) => {
        const statement = native.prepare(text);
        if (!/^commit$/i.test(text.trim())) return statement;
        return new Proxy(statement, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (property !== "run" && property !== "all") return value;
            return (...args: unknown[]) => {
              const result = (value as (...a: unknown[]) => unknown).apply(target, args);
              // At synchronous=FULL the WAL is on disk when COMMIT returns.
              events.push(`commit at ${native.pragma("synchronous", { simple: true })}`);
              return result;
            };
          },
        });
      },
    };
    return new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  }

  it("answers no writer before the COMMIT at FULL that holds its write has returned", async () => {
    const events: string[] = [];
    const writer = spiedWriter(join(dir, "spy.db"), events);
    await migrateToLatest(writer);
    const group = new GroupCommit(writer);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        group
          .run((trx) =>
            trx
              .insertInto("partners")
              .values(partnerRow(`w${i}`))
              .execute(),
          )
          .then(() => events.push(`answered w${i}`)),
      ),
    );
    await writer.destroy();
    // SQLite's synchronous setting reads 2 for FULL.
    expect(events[0]).toBe("commit at 2");
    for (const [i, event] of events.entries()) {
      if (event.startsWith("answered")) expect(events.slice(0, i)).toContain("commit at 2");
    }
    expect(events.filter((e) => e.startsWith("answered"))).toHaveLength(20);
  });

  it("writes at synchronous=FULL unless told otherwise", async () => {
    const { openDatabase } = await import("../../src/db/open.js");
    const database = await openDatabase(`sqlite:${join(dir, "full.db")}`);
    await database.migrate();
    const level = await database.write((trx) =>
      sql<{ synchronous: number }>`pragma synchronous`.execute(trx),
    );
    expect(level.rows[0]?.synchronous).toBe(2);
    await database.close();
  });

  it("fails a batch with one quick SQLITE_BUSY (503) while another process holds the write lock, without blocking the event loop", async () => {
    const { openDatabase } = await import("../../src/db/open.js");
    const path = join(dir, "busy.db");
    const database = await openDatabase(`sqlite:${path}`);
    await database.migrate();
    const other = new (loadSqlite())(path);
    other.exec("begin immediate");
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 10);
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, (_, i) =>
        database.write((trx) =>
          trx
            .insertInto("partners")
            .values(partnerRow(`b${i}`))
            .execute(),
        ),
      ),
    );
    clearInterval(timer);
    const waited = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(results[0]).toMatchObject({ reason: { code: "SQLITE_BUSY" } });
    expect(waited).toBeLessThan(3000);
    // The event loop kept turning while the batch waited for the lock.
    expect(ticks).toBeGreaterThan(waited / 10 / 3);
    other.exec("rollback");
    other.close();
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("later")).execute());
    expect(await database.read.selectFrom("partners").select("id").execute()).toEqual([
      { id: "later" },
    ]);
    await database.close();
  });
});
