// The saml_keys, saml_requests and saml_sessions tables. The only file with their SQL.
import { type Selectable, sql } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";
import type { SamlKeyTable, SamlSessionTable } from "../db/schema.js";

export type SamlKeyRow = Selectable<SamlKeyTable>;
export type SamlSessionRow = Selectable<SamlSessionTable>;

export class SamlStore {
  constructor(private readonly storage: Storage) {}

  /** Keys not retired, oldest first. */
  keys(): Promise<SamlKeyRow[]> {
    return this.storage.read
      .selectFrom("saml_keys")
      .selectAll()
      .where("retired_at", "is", null)
      .orderBy("created_at")
      .execute();
  }

  /** Adds a key; with `unlessPresent`, a key of that id already there is kept instead. */
  async addKey(trx: Tx, row: SamlKeyRow, options?: { unlessPresent: boolean }): Promise<void> {
    const insert = trx.insertInto("saml_keys").values(row);
    if (options?.unlessPresent) {
      await insert.onConflict((oc) => oc.column("kid").doNothing()).execute();
    } else {
      await insert.execute();
    }
  }

  /** Retires every key but `keep` (it no longer signs nor is published). */
  async retireOthers(trx: Tx, keep: string, now: number): Promise<number> {
    const result = await trx
      .updateTable("saml_keys")
      .set({ retired_at: now })
      .where("kid", "!=", keep)
      .where("retired_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Records a request id as seen: true the first time, false for a replay (one conditional
   * insert, so of two concurrent uses exactly one is first).
   */
  async take(
    trx: Tx,
    appId: string,
    requestId: string,
    now: number,
    expiresAt: number,
  ): Promise<boolean> {
    const row = await trx
      .insertInto("saml_requests")
      .values({ app_id: appId, request_id: requestId, seen_at: now, expires_at: expiresAt })
      .onConflict((oc) => oc.columns(["app_id", "request_id"]).doNothing())
      .returning("request_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Records that a session signed in to an app (again: the latest NameID wins). */
  async recordSession(trx: Tx, row: SamlSessionRow): Promise<void> {
    await trx
      .insertInto("saml_sessions")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["session_id", "app_id"]).doUpdateSet({
          name_id: row.name_id,
          name_id_format: row.name_id_format,
          session_index: row.session_index,
          signed_in_at: row.signed_in_at,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }

  /** The SAML apps a session signed in to, the most recent first. */
  sessionApps(sessionId: string): Promise<SamlSessionRow[]> {
    return this.storage.read
      .selectFrom("saml_sessions")
      .selectAll()
      .where("session_id", "=", sessionId)
      .orderBy("signed_in_at", "desc")
      .orderBy("app_id")
      .execute();
  }

  /** Deletes up to `limit` sign-in records of sessions past their absolute limit (the pruner). */
  static async pruneSessions(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("saml_sessions")
      .select(["session_id", "app_id"])
      .where("expires_at", "<", before);
    return deleteSelected(trx, "saml_sessions", sql`(session_id, app_id)`, selected.limit(limit));
  }

  /** Deletes up to `limit` request ids past their lifetime (the pruner). */
  static async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("saml_requests")
      .select("request_id")
      .where("expires_at", "<", before);
    return deleteSelected(trx, "saml_requests", "request_id", selected.limit(limit));
  }
}
