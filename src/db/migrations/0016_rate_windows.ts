// Rate windows shared by every node on PostgreSQL: failure budgets and allowances counted in one
// row per key and minute, so N nodes give the same allowance as one (src/db/counters.ts).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("rate_windows")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("consumed", "integer", (c) => c.notNull())
    .addColumn("resets_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("rate_windows_resets")
    .on("rate_windows")
    .column("resets_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("rate_windows").execute();
}
