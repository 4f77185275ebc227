// SAML back-channel single logout (issue 28): a SAML app whose metadata offers a SOAP
// SingleLogoutService is told of every end of a session it signed in to, server to server. One
// delivery row per (session, app), written in the transaction that ends the session with the
// NameID and SessionIndex the app was given, and sent by a worker that claims it.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("saml_logout_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("name_id", "text", (c) => c.notNull())
    .addColumn("name_id_format", "text", (c) => c.notNull())
    .addColumn("session_index", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("claimed_until", "bigint")
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .addUniqueConstraint("saml_logout_deliveries_once", ["session_id", "app_id"])
    .execute();
  await db.schema
    .createIndex("saml_logout_deliveries_due")
    .on("saml_logout_deliveries")
    .columns(["state", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("saml_logout_deliveries_finished")
    .on("saml_logout_deliveries")
    .column("finished_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("saml_logout_deliveries").execute();
}
