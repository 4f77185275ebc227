// On PostgreSQL a transaction can be chosen as a deadlock victim when concurrent writers lock
// rows in different orders (two uses of one OIDC refresh token at once did, in CI). Such a
// transaction was rolled back whole, so `write` runs it again; the caller never sees the abort.
// Runs against the real server only (HANDOFF_TEST_POSTGRES_URL, set by .ci/run).
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { partnerRow, testDatabase } from "../helpers/app.js";

const url = process.env.HANDOFF_TEST_POSTGRES_URL;

describe.skipIf(!url)("PostgreSQL write transactions", () => {
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
  });

  it("runs a deadlock victim again, so both of two crossing writers succeed", async () => {
    database = await testDatabase("postgres");
    const db = database;
    await db.write((trx) =>
      trx
        .insertInto("partners")
        .values([partnerRow("pa"), partnerRow("pb")])
        .execute(),
    );
    // Both writers take their first lock before either asks for its second: a sure deadlock.
    let arrived = 0;
    let release: () => void = () => {};
    const bothLocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cross = (first: string, second: string) =>
      db.write(async (trx) => {
        await trx
          .updateTable("partners")
          .set({ name: `${first}!` })
          .where("id", "=", first)
          .execute();
        arrived += 1;
        if (arrived === 2) release();
        await bothLocked;
        await trx.updateTable("partners").set({ updated_at: 2 }).where("id", "=", second).execute();
        return first;
      });
    expect(await Promise.all([cross("pa", "pb"), cross("pb", "pa")])).toEqual(["pa", "pb"]);
    const rows = await db.read
      .selectFrom("partners")
      .select(["id", "name", "updated_at"])
      .where("id", "in", ["pa", "pb"])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { id: "pa", name: "pa!", updated_at: 2 },
      { id: "pb", name: "pb!", updated_at: 2 },
    ]);
  });
});
