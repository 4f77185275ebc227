// OIDC Back-Channel Logout 1.0 (issue 28): an app may register a back-channel logout URI; each
// grant remembers its client and the `sid` its ID tokens carry, so the clients a Handoff session
// signed in can be found when it ends; and one delivery row per (session, client, sid), written
// in the transaction that ends the session and sent by a worker that claims it.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("apps").addColumn("oidc_backchannel_logout_uri", "text").execute();
  // Grants made before this migration have no client: their clients hear no back-channel logout.
  await db.schema.alterTable("oidc_grant_sessions").addColumn("client_id", "text").execute();
  await db.schema.alterTable("oidc_grant_sessions").addColumn("sid", "text").execute();
  await db.schema
    .createIndex("oidc_grant_sessions_session")
    .on("oidc_grant_sessions")
    .column("session_id")
    .execute();
  await db.schema
    .createTable("oidc_logout_deliveries")
    // `bcl_…`, also the logout token's jti (the same on every try).
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("sub", "text", (c) => c.notNull())
    // "" when the client's ID tokens carried no sid.
    .addColumn("sid", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("claimed_until", "bigint")
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .addUniqueConstraint("oidc_logout_deliveries_once", ["session_id", "client_id", "sid"])
    .execute();
  await db.schema
    .createIndex("oidc_logout_deliveries_due")
    .on("oidc_logout_deliveries")
    .columns(["state", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("oidc_logout_deliveries_finished")
    .on("oidc_logout_deliveries")
    .column("finished_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("oidc_logout_deliveries").execute();
  await db.schema.dropIndex("oidc_grant_sessions_session").execute();
  await db.schema.alterTable("oidc_grant_sessions").dropColumn("sid").execute();
  await db.schema.alterTable("oidc_grant_sessions").dropColumn("client_id").execute();
  await db.schema.alterTable("apps").dropColumn("oidc_backchannel_logout_uri").execute();
}
