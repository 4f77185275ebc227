// SAML front-channel single logout (issue 28): which SAML apps a Handoff session signed in to,
// with the NameID and SessionIndex each was given, so that when the person signs out every other
// app of the group can be sent a LogoutRequest naming them as it knows them.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("saml_sessions")
    .addColumn("session_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("name_id", "text", (c) => c.notNull())
    // "persistent" or "email" (src/apps/saml-settings.ts), as the NameID was issued.
    .addColumn("name_id_format", "text", (c) => c.notNull())
    .addColumn("session_index", "text", (c) => c.notNull())
    .addColumn("signed_in_at", "bigint", (c) => c.notNull())
    // The session's absolute limit: after it the row names nothing anyone is signed in to.
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("saml_sessions_pk", ["session_id", "app_id"])
    .execute();
  await db.schema
    .createIndex("saml_sessions_expires")
    .on("saml_sessions")
    .column("expires_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("saml_sessions").execute();
}
