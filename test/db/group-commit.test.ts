// Group commit on SQLite: concurrent writers share a transaction, each in its own savepoint; a
// failing writer loses only its own writes; a failed commit fails every writer of the batch.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";

describe("group commit (SQLite)", () => {
  let database: Database;
  beforeEach(async () => {
    database = await openDatabase("sqlite::memory:");
    await migrateToLatest(database.db);
  });
  afterEach(async () => {
    await database.close();
  });

  const partner = (id: string) => ({
    id,
    name: id,
    status: "active" as const,
    contract_expires_at: null,
    created_at: 1,
    updated_at: 1,
  });

  it("commits concurrent writers together, and one failure rolls back only its own writes", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        database.write(async (trx) => {
          await trx
            .insertInto("partners")
            .values(partner(`p${i}`))
            .execute();
          if (i % 3 === 0) {
            // A second write of this job, then a failure: both of its writes must vanish.
            await trx
              .insertInto("partners")
              .values(partner(`extra${i}`))
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
    await database.db.insertInto("partners").values(partner("shared")).execute();
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
    await database.write((trx) => trx.insertInto("partners").values(partner("after")).execute());
    expect(await database.db.selectFrom("partners").select("id").execute()).toEqual([
      { id: "after" },
    ]);
  });
});
