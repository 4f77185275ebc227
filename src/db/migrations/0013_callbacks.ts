// Call-backs (issue 19, seed 002's tpd.auth_token): the endpoints a partner registers per kind
// (balance, debit, refund, verify) with the secret Handoff signs its calls with (sealed), and the
// money-moving calls by their Idempotency-Key, so a repeated key answers the first call's answer
// without calling the partner again, across a crash and restart.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("partner_callbacks")
    .addColumn("partner_id", "text", (c) =>
      c.notNull().references("partners.id").onDelete("cascade"),
    )
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("timeout_ms", "integer", (c) => c.notNull())
    .addColumn("secret_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("partner_callbacks_pk", ["partner_id", "kind"])
    .execute();
  await db.schema
    .createTable("callback_calls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("partner_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    // SHA-256 of kind, user and body: the same key with another request is a conflict.
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    // A call to the partner is in flight until then (a crashed one's claim runs out).
    .addColumn("attempt_until", "bigint", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("answer_sealed", "text")
    .addColumn("completed_at", "bigint")
    .addUniqueConstraint("callback_calls_key", ["app_id", "idempotency_key"])
    .execute();
  await db.schema
    .createIndex("callback_calls_created")
    .on("callback_calls")
    .column("created_at")
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable("callback_calls").execute();
  await db.schema.dropTable("partner_callbacks").execute();
}
