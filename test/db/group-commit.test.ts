// Group commit on SQLite: concurrent writers share a transaction, each in its own savepoint; a
// failing writer loses only its own writes; a failed commit fails every writer of the batch.
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { GroupCommit, StorageFailed } from "../../src/db/group-commit.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { PreparedQuery } from "../../src/db/prepared.js";
import { partnerRow } from "../helpers/app.js";

// Prepared queries run straight on SQLite's connection inside a batch and on the idle root.
const insertPartner = new PreparedQuery<unknown, "id">((db, p) =>
  db.insertInto("partners").values({ ...partnerRow("x"), id: p("id") }),
);
const selectPartner = new PreparedQuery<{ id: string }, "id">((db, p) =>
  db.selectFrom("partners").select("id").where("id", "=", p("id")),
);

describe("group commit (SQLite)", () => {
  let database: Database;
  beforeEach(async () => {
    database = await openDatabase("sqlite::memory:");
    await migrateToLatest(database.db);
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
    const rows = await database.db.selectFrom("partners").select("id").execute();
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
    await database.db.insertInto("partners").values(partnerRow("shared")).execute();
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
    await database.db.insertInto("partners").values(partnerRow("taken")).execute();
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
    const rows = await database.db.selectFrom("partners").select("id").orderBy("id").execute();
    expect(rows.map((r) => r.id)).toEqual(["q0", "q3", "q6", "taken"]);
  });

  it("never lets a prepared read from outside see a batch's uncommitted rows", async () => {
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
    let seen: unknown;
    const read = selectPartner.execute(database.db, { id: "ghost" }).then(({ rows }) => {
      seen = rows;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // The batch's transaction is open: the read waits for it instead of reading inside it.
    expect(seen).toBeUndefined();
    open();
    await expect(job).rejects.toThrow("rolled back");
    await read;
    expect(seen).toEqual([]);
    // With the connection idle again, prepared writes and reads on the root work as before.
    await insertPartner.execute(database.db, { id: "real" });
    expect((await selectPartner.execute(database.db, { id: "real" })).rows).toEqual([
      { id: "real" },
    ]);
  });

  it("fails every writer of a batch whose commit fails, and stores none of it", async () => {
    // A deferred foreign key fails only at COMMIT, after every job of the batch has succeeded.
    await sql`pragma defer_foreign_keys = on`.execute(database.db);
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
    expect(await database.db.selectFrom("partner_links").selectAll().execute()).toEqual([]);
    // The connection is usable afterwards.
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("after")).execute());
    expect(await database.db.selectFrom("partners").select("id").execute()).toEqual([
      { id: "after" },
    ]);
  });
});

describe("group commit with the flush off the main thread (SQLite file at synchronous=FULL)", () => {
  /** A GroupCommit whose flushes wait until the test lets them go. */
  async function withGate() {
    const database = await openDatabase("sqlite::memory:");
    await migrateToLatest(database.db);
    const gates: { release(): void; fail(error: Error): void }[] = [];
    const group = new GroupCommit(database.db, {
      flush: () =>
        new Promise<void>((release, fail) => {
          gates.push({ release, fail });
        }),
    });
    const insert = (id: string) =>
      group.run((trx) => trx.insertInto("partners").values(partnerRow(id)).execute());
    const stored = async () =>
      (await database.db.selectFrom("partners").select("id").orderBy("id").execute()).map(
        (r) => r.id,
      );
    return { database, group, gates, insert, stored };
  }

  it("answers a writer only after the flush that follows its commit, and runs the next batch meanwhile", async () => {
    const { database, gates, insert, stored } = await withGate();
    let firstDone = false;
    const first = insert("a").then(() => {
      firstDone = true;
    });
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    // Committed (other readers see it) but not yet answered: its flush has not finished.
    expect(await stored()).toEqual(["a"]);
    expect(firstDone).toBe(false);
    // A second batch commits while the first flush runs; its own flush waits for a fresh one.
    let secondDone = false;
    const second = insert("b").then(() => {
      secondDone = true;
    });
    await vi.waitFor(async () => expect(await stored()).toEqual(["a", "b"]));
    expect(gates).toHaveLength(1);
    gates[0]?.release();
    await first;
    expect(firstDone).toBe(true);
    await vi.waitFor(() => expect(gates).toHaveLength(2));
    expect(secondDone).toBe(false);
    gates[1]?.release();
    await second;
    await database.close();
  });

  it("fails the writers of a failed flush and refuses every write after it", async () => {
    const { database, group, gates, insert } = await withGate();
    const write = insert("a");
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    gates[0]?.fail(new Error("EIO: i/o error, fdatasync"));
    await expect(write).rejects.toBeInstanceOf(StorageFailed);
    expect(group.failed).toBeInstanceOf(StorageFailed);
    await expect(insert("b")).rejects.toBeInstanceOf(StorageFailed);
    expect(gates).toHaveLength(1);
    await database.close();
  });

  it("refuses writes and fails readiness once the WAL cannot be flushed (here: the file was deleted)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-gc-"));
    const file = join(dir, "gc.db");
    const database = await openDatabase(`sqlite:${file}`, { sqliteSynchronous: "FULL" });
    await migrateToLatest(database.db);
    await database.write((trx) =>
      trx.insertInto("partners").values(partnerRow("before")).execute(),
    );
    unlinkSync(`${file}-wal`);
    await expect(
      database.write((trx) => trx.insertInto("partners").values(partnerRow("lost")).execute()),
    ).rejects.toBeInstanceOf(StorageFailed);
    await expect(database.ping()).rejects.toBeInstanceOf(StorageFailed);
    await expect(
      database.write((trx) => trx.insertInto("partners").values(partnerRow("later")).execute()),
    ).rejects.toBeInstanceOf(StorageFailed);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the connection at FULL outside its batches, and stores what it answered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-gc-"));
    const file = join(dir, "gc.db");
    const database = await openDatabase(`sqlite:${file}`, { sqliteSynchronous: "FULL" });
    await migrateToLatest(database.db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.write((trx) =>
          trx
            .insertInto("partners")
            .values(partnerRow(`p${i}`))
            .execute(),
        ),
      ),
    );
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
    expect(rows[0]?.synchronous).toBe(2); // FULL
    await database.ping();
    await database.close();
    const reopened = await openDatabase(`sqlite:${file}`);
    expect(await reopened.db.selectFrom("partners").select("id").execute()).toHaveLength(20);
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
