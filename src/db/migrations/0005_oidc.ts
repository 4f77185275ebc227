// OpenID Connect: apps become OIDC clients (redirect URIs, refresh tokens), oidc-provider's
// artefacts (sessions, codes, tokens, grants, interactions) persist in one table, and each grant
// remembers the Handoff session that made it (its claims and its lifetime come from there).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("apps")
    .addColumn("oidc_redirect_uris", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema
    .alterTable("apps")
    .addColumn("oidc_post_logout_redirect_uris", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema
    .alterTable("apps")
    .addColumn("oidc_refresh_tokens", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("oidc_models")
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("grant_id", "text")
    .addColumn("uid", "text")
    .addColumn("user_code", "text")
    .addColumn("expires_at", "bigint")
    .addColumn("consumed_at", "bigint")
    .addPrimaryKeyConstraint("oidc_models_pk", ["model", "id"])
    .execute();
  await db.schema.createIndex("oidc_models_grant").on("oidc_models").column("grant_id").execute();
  await db.schema.createIndex("oidc_models_uid").on("oidc_models").column("uid").execute();
  await db.schema
    .createIndex("oidc_models_expires")
    .on("oidc_models")
    .column("expires_at")
    .execute();
  await db.schema
    .createTable("oidc_grant_sessions")
    .addColumn("grant_id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("oidc_grant_sessions_expires")
    .on("oidc_grant_sessions")
    .column("expires_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("oidc_grant_sessions").execute();
  await db.schema.dropTable("oidc_models").execute();
  await db.schema.alterTable("apps").dropColumn("oidc_refresh_tokens").execute();
  await db.schema.alterTable("apps").dropColumn("oidc_post_logout_redirect_uris").execute();
  await db.schema.alterTable("apps").dropColumn("oidc_redirect_uris").execute();
}
