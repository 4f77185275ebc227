// The console (issue 16): who may sign in to it, their lock state, and their console sessions.
// Partner users gain a role; the accounts seed 000's password grant uses are their partner's
// admins unless made viewers.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("operators")
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("operators").addColumn("locked_until", "bigint").execute();
  await db.schema
    .alterTable("partner_users")
    .addColumn("role", "text", (c) => c.notNull().defaultTo("admin"))
    .execute();
  await db.schema
    .createTable("console_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("operator_id", "text", (c) => c.references("operators.id").onDelete("cascade"))
    .addColumn("partner_user_id", "text", (c) =>
      c.references("partner_users.id").onDelete("cascade"),
    )
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_seen_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .execute();
  await db.schema
    .createIndex("console_sessions_partner_user")
    .on("console_sessions")
    .column("partner_user_id")
    .execute();
  // The console lists a partner's newest tickets. (partner_id, created_at) also serves what
  // (partner_id, status) served (a suspension's sweep of the partner's issued tickets, which the
  // pruner bounds to the retention days), so it replaces it: one index more per mint is not free.
  await db.schema.dropIndex("tickets_partner").execute();
  await db.schema
    .createIndex("tickets_partner_created")
    .on("tickets")
    .columns(["partner_id", "created_at"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("tickets_partner_created").execute();
  await db.schema
    .createIndex("tickets_partner")
    .on("tickets")
    .columns(["partner_id", "status"])
    .execute();
  await db.schema.dropTable("console_sessions").execute();
  await db.schema.alterTable("partner_users").dropColumn("role").execute();
  await db.schema.alterTable("operators").dropColumn("locked_until").execute();
  await db.schema.alterTable("operators").dropColumn("failed_attempts").execute();
}
