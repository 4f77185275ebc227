// Partner users (people at a partner who log in with a password, seed 000's password grant),
// their lock state, and the refresh tokens that grant issues.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("partner_users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("login", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("partner_users_login", ["partner_id", "login"])
    .execute();
  await db.schema
    .createTable("refresh_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("family_id", "text", (c) => c.notNull())
    .addColumn("partner_user_id", "text", (c) =>
      c.notNull().references("partner_users.id").onDelete("cascade"),
    )
    .addColumn("partner_token_id", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema
    .createIndex("refresh_tokens_family")
    .on("refresh_tokens")
    .column("family_id")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("refresh_tokens").execute();
  await db.schema.dropTable("partner_users").execute();
}
