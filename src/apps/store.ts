// The apps table. The only file with its SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { AppTable } from "../db/schema.js";

export type AppRow = Selectable<AppTable>;

export class AppStore {
  constructor(private readonly storage: Storage) {}

  async insert(trx: Tx, row: AppRow): Promise<void> {
    await trx.insertInto("apps").values(row).execute();
  }

  /** Writes every column but the id, the creation time and the secret. */
  async update(trx: Tx, row: AppRow): Promise<boolean> {
    const { id, created_at: _created, secret_hash: _secret, ...set } = row;
    const result = await trx.updateTable("apps").set(set).where("id", "=", id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setSecretHash(trx: Tx, id: string, hash: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("apps")
      .set({ secret_hash: hash, updated_at: now })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  find(id: string): Promise<AppRow | undefined> {
    return this.storage.read.selectFrom("apps").selectAll().where("id", "=", id).executeTakeFirst();
  }

  list(): Promise<AppRow[]> {
    return this.storage.read
      .selectFrom("apps")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }
}
