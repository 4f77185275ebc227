// The partner_callbacks and callback_calls tables. The only file with their SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";
import type { CallbackCallTable, PartnerCallbackTable } from "../db/schema.js";

export type CallbackRow = Selectable<PartnerCallbackTable>;
export type CallRow = Selectable<CallbackCallTable>;

export class CallbackStore {
  constructor(private readonly storage: Storage) {}

  list(partnerId: string): Promise<CallbackRow[]> {
    return this.storage.read
      .selectFrom("partner_callbacks")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .orderBy("kind")
      .execute();
  }

  find(partnerId: string, kind: string): Promise<CallbackRow | undefined> {
    return this.storage.read
      .selectFrom("partner_callbacks")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .where("kind", "=", kind)
      .executeTakeFirst();
  }

  /** Adds the endpoint, or changes its URL and timeout (keeping its secret). */
  async upsert(trx: Tx, row: CallbackRow): Promise<void> {
    await trx
      .insertInto("partner_callbacks")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["partner_id", "kind"]).doUpdateSet({
          url: row.url,
          timeout_ms: row.timeout_ms,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  async remove(trx: Tx, partnerId: string, kind: string): Promise<boolean> {
    const result = await trx
      .deleteFrom("partner_callbacks")
      .where("partner_id", "=", partnerId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Records a money-moving call by its key; false when the key is already taken. */
  async begin(trx: Tx, row: CallRow): Promise<boolean> {
    const taken = await trx
      .insertInto("callback_calls")
      .values(row)
      .onConflict((oc) => oc.columns(["app_id", "idempotency_key"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return taken !== undefined;
  }

  findCall(trx: Tx, appId: string, key: string): Promise<CallRow | undefined> {
    return trx
      .selectFrom("callback_calls")
      .selectAll()
      .where("app_id", "=", appId)
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
  }

  /** Takes over a call nobody is waiting on (no answer came, or its process died): one winner. */
  async retake(trx: Tx, id: string, now: number, until: number): Promise<boolean> {
    const result = await trx
      .updateTable("callback_calls")
      .set({ attempt_until: until })
      .where("id", "=", id)
      .where("completed_at", "is", null)
      .where("attempt_until", "<=", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async complete(
    trx: Tx,
    id: string,
    status: number,
    answerSealed: string,
    now: number,
  ): Promise<void> {
    await trx
      .updateTable("callback_calls")
      .set({ status, answer_sealed: answerSealed, completed_at: now })
      .where("id", "=", id)
      .execute();
  }

  /** The partner answered nothing: the call may be tried again with the same key at once. */
  async release(trx: Tx, id: string, now: number): Promise<void> {
    await trx
      .updateTable("callback_calls")
      .set({ attempt_until: now })
      .where("id", "=", id)
      .execute();
  }

  /** Deletes up to `limit` calls (kept answers included) made before `before` (the pruner). */
  static async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx.selectFrom("callback_calls").select("id").where("created_at", "<", before);
    return deleteSelected(trx, "callback_calls", "id", selected.limit(limit));
  }
}
