// The storage seam: the change log SQLite's processes read to keep their caches true (PostgreSQL
// uses LISTEN/NOTIFY instead; the table stays empty there), and the indexes that revocation by
// partner or account and pruning by end time need.
import { type Kysely, SqliteAdapter } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable("changes")
    // AUTOINCREMENT: a sequence number is never reused, even after pruning empties the table.
    .addColumn("seq", sqlite ? "integer" : "bigserial", (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("topic", "text", (c) => c.notNull())
    .addColumn("key", "text")
    .execute();
  await db.schema.createIndex("changes_at").on("changes").column("at").execute();
  await db.schema
    .createIndex("tickets_partner")
    .on("tickets")
    .columns(["partner_id", "status"])
    .execute();
  await db.schema
    .createIndex("tickets_account")
    .on("tickets")
    .columns(["account_id", "status"])
    .execute();
  await db.schema
    .createIndex("sessions_partner")
    .on("sessions")
    .columns(["partner_id", "ended_at"])
    .execute();
  await db.schema
    .createIndex("sessions_account")
    .on("sessions")
    .columns(["account_id", "ended_at"])
    .execute();
  await db.schema.createIndex("sessions_ended").on("sessions").column("ended_at").execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const index of [
    "sessions_ended",
    "sessions_account",
    "sessions_partner",
    "tickets_account",
    "tickets_partner",
    "tickets_user",
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema
    .createIndex("tickets_user")
    .on("tickets")
    .columns(["user_id", "status"])
    .execute();
  await db.schema.dropTable("changes").execute();
}
