// The console_sessions table. The only file with its SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { ConsoleSessionTable } from "../db/schema.js";

export type ConsoleSessionRow = Selectable<ConsoleSessionTable>;

export class ConsoleSessionStore {
  constructor(private readonly storage: Storage) {}

  async insert(trx: Tx, row: ConsoleSessionRow): Promise<void> {
    await trx.insertInto("console_sessions").values(row).execute();
  }

  find(id: string): Promise<ConsoleSessionRow | undefined> {
    return this.storage.read
      .selectFrom("console_sessions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
  }

  async touch(trx: Tx, id: string, now: number): Promise<void> {
    await trx
      .updateTable("console_sessions")
      .set({ last_seen_at: now })
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .execute();
  }

  async end(trx: Tx, id: string, now: number): Promise<boolean> {
    const row = await trx
      .updateTable("console_sessions")
      .set({ ended_at: now })
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    return row !== undefined;
  }
}
