// The saml_keys and saml_requests tables. The only file with their SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";
import type { SamlKeyTable } from "../db/schema.js";

export type SamlKeyRow = Selectable<SamlKeyTable>;

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

  async addKey(trx: Tx, row: SamlKeyRow): Promise<void> {
    await trx.insertInto("saml_keys").values(row).execute();
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

  /** Deletes up to `limit` request ids past their lifetime (the pruner). */
  static async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("saml_requests")
      .select("request_id")
      .where("expires_at", "<", before);
    return deleteSelected(trx, "saml_requests", "request_id", selected.limit(limit));
  }
}
