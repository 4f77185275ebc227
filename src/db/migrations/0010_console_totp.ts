// The console's second factor: a TOTP secret (sealed) per person who enrolled, the last time step
// used (so a code works once), and the hashes of their recovery codes; and, on a console session,
// whether the second factor is still owed and how many wrong codes it has seen.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("console_totp")
    // An operator's or a partner user's id (opr_…, pus_…).
    .addColumn("person_id", "text", (c) => c.primaryKey())
    .addColumn("secret_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("enabled_at", "bigint")
    .addColumn("last_step", "bigint")
    // JSON array of SHA-256 hashes of the unused recovery codes.
    .addColumn("recovery_hashes", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema
    .alterTable("console_sessions")
    .addColumn("totp_pending", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("console_sessions")
    .addColumn("totp_failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("console_sessions").dropColumn("totp_failures").execute();
  await db.schema.alterTable("console_sessions").dropColumn("totp_pending").execute();
  await db.schema.dropTable("console_totp").execute();
}
