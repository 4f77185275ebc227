// OIDC Front-Channel Logout 1.0 (issue 28): an app may register a front-channel logout URI, which
// the person's browser loads in a hidden iframe when a browser logout ends their Handoff session.
// The clients to frame are found from oidc_grant_sessions (client_id and sid, migration 0017).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("apps").addColumn("oidc_frontchannel_logout_uri", "text").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("apps").dropColumn("oidc_frontchannel_logout_uri").execute();
}
