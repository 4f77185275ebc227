// Named statements on a real PostgreSQL (src/db/pg-named.ts): each query text is prepared once
// per connection, and a migration that changes a table under a prepared `select *` (another node
// upgrading) costs neither a read nor a write an error.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open.js";
import { partnerRow } from "../helpers/app.js";

const postgresUrl = process.env.HANDOFF_TEST_POSTGRES_URL;

describe.skipIf(!postgresUrl)("named statements on PostgreSQL", () => {
  let database: Database;
  let other: Database;
  beforeAll(async () => {
    const url = new URL(postgresUrl as string);
    const admin = await openDatabase(url.href);
    const name = `handoff_named_${randomBytes(6).toString("hex")}`;
    await sql`create database ${sql.id(name)}`.execute(admin.read);
    await admin.close();
    url.pathname = `/${name}`;
    // One connection, so every query below runs where the statements were prepared.
    database = await openDatabase(url.href, { poolSize: 1 });
    await database.migrate();
    other = await openDatabase(url.href, { namedStatements: false });
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("ptn_a")).execute());
  });
  afterAll(async () => {
    await database?.close();
    await other?.close();
  });

  const prepared = async () =>
    (
      await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(database.read)
    ).rows;

  it("prepares a query with parameters once on its connection, and reuses it", async () => {
    const find = () =>
      database.read.selectFrom("partners").select("name").where("id", "=", "ptn_a").execute();
    expect(await find()).toEqual([{ name: "ptn_a" }]);
    expect(await find()).toEqual([{ name: "ptn_a" }]);
    const mine = (await prepared()).filter((row) => row.statement.includes('from "partners"'));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.name).toMatch(/^handoff_\d+$/);
  });

  it("answers a read and a write after a migration changed the table under them", async () => {
    const read = () =>
      database.read.selectFrom("partners").selectAll().where("id", "=", "ptn_a").execute();
    const write = () =>
      database.write((trx) =>
        trx.selectFrom("partners").selectAll().where("name", "=", "ptn_a").execute(),
      );
    expect(await read()).toHaveLength(1);
    expect(await write()).toHaveLength(1);
    await sql`alter table partners add column extra_one text`.execute(other.read);
    const [afterRead] = await read();
    expect(afterRead).toHaveProperty("extra_one", null);
    const [afterWrite] = await write();
    expect(afterWrite).toHaveProperty("extra_one", null);
    await sql`alter table partners drop column extra_one`.execute(other.read);
  });
});
