// oidc-provider's artefacts (`oidc_models`: sessions, codes, tokens, grants, interactions) and the
// link from each grant to the Handoff session that made it. The only file with OIDC's SQL.
import { sql } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { OidcModelTable } from "../db/schema.js";

export type ModelRow = Pick<OidcModelTable, "payload" | "expires_at" | "consumed_at">;

export type NewModelRow = Omit<OidcModelTable, "consumed_at">;

// Every code exchange and token use runs these: compiled once per dialect (src/db/prepared.ts).
const findById = new PreparedQuery<
  { payload: string; expires_at: number | null; consumed_at: number | null },
  "model" | "id"
>((db, p) =>
  db
    .selectFrom("oidc_models")
    .select(["payload", "expires_at", "consumed_at"])
    .where("model", "=", p("model"))
    .where("id", "=", p("id")),
);

const upsertRow = new PreparedQuery<
  unknown,
  "model" | "id" | "payload" | "grant_id" | "uid" | "user_code" | "expires_at"
>((db, p) =>
  db
    .insertInto("oidc_models")
    .values({
      model: p("model"),
      id: p("id"),
      payload: p("payload"),
      grant_id: p("grant_id"),
      uid: p("uid"),
      user_code: p("user_code"),
      expires_at: p<number>("expires_at"),
      consumed_at: null,
    })
    .onConflict((oc) =>
      oc.columns(["model", "id"]).doUpdateSet((eb) => ({
        payload: eb.ref("excluded.payload"),
        grant_id: eb.ref("excluded.grant_id"),
        uid: eb.ref("excluded.uid"),
        user_code: eb.ref("excluded.user_code"),
        expires_at: eb.ref("excluded.expires_at"),
      })),
    ),
);

const consumeRow = new PreparedQuery<unknown, "model" | "id" | "now">((db, p) =>
  db
    .updateTable("oidc_models")
    .set({ consumed_at: p<number>("now") })
    .where("model", "=", p("model"))
    .where("id", "=", p("id"))
    .where("consumed_at", "is", null),
);

export class OidcStore {
  constructor(private readonly storage: Storage) {}

  async upsert(trx: Tx, row: NewModelRow): Promise<void> {
    await upsertRow.execute(trx, row);
  }

  async find(model: string, id: string): Promise<ModelRow | undefined> {
    return (await findById.execute(this.storage.read, { model, id })).rows[0];
  }

  findBy(model: string, column: "uid" | "user_code", value: string): Promise<ModelRow | undefined> {
    return this.storage.read
      .selectFrom("oidc_models")
      .select(["payload", "expires_at", "consumed_at"])
      .where("model", "=", model)
      .where(column, "=", value)
      .executeTakeFirst();
  }

  /** Marks a code or token consumed, only if it was not: true for exactly one of racing callers. */
  async consume(trx: Tx, model: string, id: string, now: number): Promise<boolean> {
    return (await consumeRow.execute(trx, { model, id, now })).numAffectedRows > 0;
  }

  /** Every artefact of the grant that holds this one, and the grant itself, go. */
  async revokeGrantOf(trx: Tx, model: string, id: string): Promise<void> {
    const row = await trx
      .selectFrom("oidc_models")
      .select("grant_id")
      .where("model", "=", model)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row?.grant_id) return;
    await this.revokeGrant(trx, row.grant_id);
    await trx
      .deleteFrom("oidc_models")
      .where("model", "=", "Grant")
      .where("id", "=", row.grant_id)
      .execute();
  }

  async destroy(trx: Tx, model: string, id: string): Promise<void> {
    await trx.deleteFrom("oidc_models").where("model", "=", model).where("id", "=", id).execute();
  }

  /** Every token of the grant, whatever its model (only grantable models record a grant id). */
  async revokeGrant(trx: Tx, grantId: string): Promise<void> {
    await trx.deleteFrom("oidc_models").where("grant_id", "=", grantId).execute();
  }

  async linkGrant(trx: Tx, grantId: string, sessionId: string, expiresAt: number): Promise<void> {
    await trx
      .insertInto("oidc_grant_sessions")
      .values({ grant_id: grantId, session_id: sessionId, expires_at: expiresAt })
      .execute();
  }

  /** Which Handoff session made an OIDC grant. */
  async grantSession(grantId: string): Promise<string | null> {
    const row = await this.storage.read
      .selectFrom("oidc_grant_sessions")
      .select("session_id")
      .where("grant_id", "=", grantId)
      .executeTakeFirst();
    return row?.session_id ?? null;
  }

  /** Deletes up to `limit` expired artefacts, then up to `limit` expired grant links. */
  async prune(trx: Tx, now: number, limit: number): Promise<number> {
    const models = trx
      .selectFrom("oidc_models")
      .select(["model", "id"])
      .where("expires_at", "<", now)
      .limit(limit);
    const links = trx
      .selectFrom("oidc_grant_sessions")
      .select("grant_id")
      .where("expires_at", "<", now)
      .limit(limit);
    return (
      (await deleteSelected(trx, "oidc_models", sql`(model, id)`, models)) +
      (await deleteSelected(trx, "oidc_grant_sessions", "grant_id", links))
    );
  }
}
