// The sub-account indexes hold only what they are for. A ticket's or session's account_id is its
// partner's own id unless it was minted on behalf of a linked sub-account, which is rare; the
// only query by account (suspending a partner, src/partners/store.ts) finds the partner's own
// rows by partner_id. Indexing only the rows whose account differs saves an index write on every
// mint and redemption: 14 % less CPU per mint, 17 % per redemption (docs/performance.md).
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

const differs = sql<boolean>`account_id <> partner_id`;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("tickets_account").execute();
  await db.schema
    .createIndex("tickets_account")
    .on("tickets")
    .columns(["account_id", "status"])
    .where(differs)
    .execute();
  await db.schema.dropIndex("sessions_account").execute();
  await db.schema
    .createIndex("sessions_account")
    .on("sessions")
    .columns(["account_id", "ended_at"])
    .where(differs)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("sessions_account").execute();
  await db.schema
    .createIndex("sessions_account")
    .on("sessions")
    .columns(["account_id", "ended_at"])
    .execute();
  await db.schema.dropIndex("tickets_account").execute();
  await db.schema
    .createIndex("tickets_account")
    .on("tickets")
    .columns(["account_id", "status"])
    .execute();
}
