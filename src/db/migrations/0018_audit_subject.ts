// What happened to one login link (the console's per-link timeline, issue 28): its audit entries
// and those of the session it made, found by subject in time order instead of by scanning a
// partner's whole log.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex("audit_log_subject")
    .on("audit_log")
    .columns(["subject", "at"])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("audit_log_subject").execute();
}
