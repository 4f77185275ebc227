// One-time codes at redemption (issue 17): the code a ticket owes (hashed), where it went, how
// often it was sent and guessed; the outbox that delivers it (sealed, so no code is stored in
// the clear); and, on a session, whether and when a code was given.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("ticket_otp")
    .addColumn("ticket_id", "text", (c) =>
      c.primaryKey().references("tickets.id").onDelete("cascade"),
    )
    .addColumn("destination", "text", (c) => c.notNull())
    .addColumn("code_hash", "text")
    .addColumn("code_expires_at", "bigint")
    .addColumn("sends", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_sent_at", "bigint")
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("outbox_id", "text")
    .execute();
  await db.schema
    .createTable("outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("message_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("claimed_until", "bigint")
    .addColumn("sent_at", "bigint")
    .addColumn("failed_at", "bigint")
    .addColumn("last_error", "text")
    .execute();
  await db.schema
    .createIndex("outbox_due")
    .on("outbox")
    .columns(["sent_at", "failed_at", "next_attempt_at"])
    .execute();
  await db.schema.alterTable("sessions").addColumn("otp_mode", "text").execute();
  await db.schema.alterTable("sessions").addColumn("otp_verified_at", "bigint").execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable("sessions").dropColumn("otp_verified_at").execute();
  await db.schema.alterTable("sessions").dropColumn("otp_mode").execute();
  await db.schema.dropTable("outbox").execute();
  await db.schema.dropTable("ticket_otp").execute();
}
