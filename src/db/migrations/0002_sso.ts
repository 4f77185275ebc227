// Users, tickets (login links), sessions and the audit log; app credentials and IP binding.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("apps")
    .addColumn("ip_binding", "text", (c) => c.notNull().defaultTo("exact"))
    .execute();
  await db.schema.alterTable("apps").addColumn("secret_hash", "text").execute();
  await db.schema
    .alterTable("apps")
    .addColumn("sees_auth_token", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("external_id", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("email_canonical", "text")
    .addColumn("phone_number", "text")
    .addColumn("phone_country_code", "text")
    .addColumn("name", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("users_partner_external", ["partner_id", "external_id"])
    .execute();
  await db.schema
    .createIndex("users_partner_email")
    .on("users")
    .columns(["partner_id", "email_canonical"])
    .execute();

  await db.schema
    .createTable("tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("account_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("api_token_id", "text")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("return_to", "text", (c) => c.notNull())
    .addColumn("bind_ip", "text")
    .addColumn("fields", "text")
    .addColumn("otp", "text", (c) => c.notNull())
    .addColumn("partner_data_sealed", "text")
    .addColumn("context", "text")
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('issued', 'redeemed', 'revoked', 'rejected')`),
    )
    .addColumn("reason", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .addColumn("session_id", "text")
    .addColumn("last_failure", "text")
    .addColumn("last_failure_at", "bigint")
    .execute();
  await db.schema
    .createIndex("tickets_user")
    .on("tickets")
    .columns(["user_id", "status"])
    .execute();
  await db.schema.createIndex("tickets_expires").on("tickets").column("expires_at").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("account_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("ticket_id", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_seen_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addColumn("end_reason", "text")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();
  await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("partner_id", "text")
    .addColumn("subject", "text")
    .addColumn("ip", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
  await db.schema
    .createIndex("audit_log_partner")
    .on("audit_log")
    .columns(["partner_id", "at"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of ["audit_log", "sessions", "tickets", "users"]) {
    await db.schema.dropTable(table).execute();
  }
  for (const column of ["sees_auth_token", "secret_hash", "ip_binding"]) {
    await db.schema.alterTable("apps").dropColumn(column).execute();
  }
}
