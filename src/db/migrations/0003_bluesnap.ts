// Given and family names for users (BlueSnap's user API keeps them apart; OIDC has claims for
// them), and a per-ticket session limit (BlueSnap's sessions last 30 minutes whatever the app says).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("users").addColumn("given_name", "text").execute();
  await db.schema.alterTable("users").addColumn("family_name", "text").execute();
  await db.schema.alterTable("tickets").addColumn("session_seconds", "integer").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("tickets").dropColumn("session_seconds").execute();
  await db.schema.alterTable("users").dropColumn("family_name").execute();
  await db.schema.alterTable("users").dropColumn("given_name").execute();
}
