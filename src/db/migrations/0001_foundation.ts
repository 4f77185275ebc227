// Partners, their credentials, operators, signing keys and apps.
import { type Kysely, sql } from "kysely";

// Migrations are frozen in time and must not depend on the current table types.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

function credentialTable(db: AnyDb, name: string) {
  return db.schema
    .createTable(name)
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("revoked_at", "bigint");
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("partners")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
    .addColumn("contract_expires_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("partner_links")
    .addColumn("parent_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("child_id", "text", (c) => c.notNull().references("partners.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("partner_links_pk", ["parent_id", "child_id"])
    .execute();
  await credentialTable(db, "partner_tokens").execute();
  await db.schema
    .createIndex("partner_tokens_partner")
    .on("partner_tokens")
    .column("partner_id")
    .execute();
  await credentialTable(db, "api_tokens")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema.createIndex("api_tokens_partner").on("api_tokens").column("partner_id").execute();
  await credentialTable(db, "sso_keys").execute();
  await db.schema.createIndex("sso_keys_partner").on("sso_keys").column("partner_id").execute();
  await db.schema
    .createTable("operators")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("signing_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("alg", "text", (c) => c.notNull())
    .addColumn("public_jwk", "text", (c) => c.notNull())
    .addColumn("private_jwk_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("retire_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema
    .createTable("apps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("base_url", "text", (c) => c.notNull())
    .addColumn("return_paths", "text", (c) => c.notNull())
    .addColumn("products", "text", (c) => c.notNull())
    .addColumn("ticket_ttl_default", "integer", (c) => c.notNull())
    .addColumn("ticket_ttl_max", "integer", (c) => c.notNull())
    .addColumn("session_idle_seconds", "integer", (c) => c.notNull())
    .addColumn("session_absolute_seconds", "integer", (c) => c.notNull())
    .addColumn("failure_url", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    "apps",
    "signing_keys",
    "operators",
    "sso_keys",
    "api_tokens",
    "partner_tokens",
    "partner_links",
    "partners",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
