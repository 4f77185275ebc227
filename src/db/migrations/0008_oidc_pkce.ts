// An operator may let a confidential OIDC client sign in without PKCE (nonce still required), for
// relying parties that cannot send it (passport-openidconnect). PKCE stays required by default.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("apps")
    .addColumn("oidc_pkce_required", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("apps").dropColumn("oidc_pkce_required").execute();
}
