// SAML 2.0 (issue 18): an app as a SAML service provider (its settings as JSON), the identity
// provider's signing keys with their X.509 certificates (RSA: SAML's libraries sign with nothing
// else; kept apart from the JWT keys because SAML service providers load metadata rarely), the
// AuthnRequest and LogoutRequest ids seen (replay), and sign-in groups of apps.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("apps").addColumn("saml", "text").execute();
  await db.schema.alterTable("apps").addColumn("sign_in_group", "text").execute();
  await db.schema
    .createTable("saml_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("private_pem_sealed", "text", (c) => c.notNull())
    .addColumn("certificate", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    // Published in metadata from creation; signs from this time on (until a newer key does).
    .addColumn("signs_from", "bigint", (c) => c.notNull())
    .addColumn("retired_at", "bigint")
    .execute();
  await db.schema
    .createTable("saml_requests")
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("seen_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("saml_requests_pk", ["app_id", "request_id"])
    .execute();
  await db.schema
    .createIndex("saml_requests_expires")
    .on("saml_requests")
    .column("expires_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("saml_requests").execute();
  await db.schema.dropTable("saml_keys").execute();
  await db.schema.alterTable("apps").dropColumn("sign_in_group").execute();
  await db.schema.alterTable("apps").dropColumn("saml").execute();
}
