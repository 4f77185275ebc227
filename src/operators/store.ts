// The operators table. The only file with its SQL.
import type { Insertable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { OperatorTable } from "../db/schema.js";

export type NewOperatorRow = Insertable<OperatorTable>;

export class OperatorStore {
  constructor(private readonly storage: Storage) {}

  /** Inserts an operator; undefined when the email is taken. */
  insert(trx: Tx, row: NewOperatorRow): Promise<{ id: string } | undefined> {
    return trx
      .insertInto("operators")
      .values(row)
      .onConflict((oc) => oc.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();
  }

  findByEmail(email: string) {
    return this.storage.read
      .selectFrom("operators")
      .select(["id", "email", "password_hash", "failed_attempts", "locked_until"])
      .where("email", "=", email)
      .executeTakeFirst();
  }

  byId(id: string) {
    return this.storage.read
      .selectFrom("operators")
      .select(["id", "email"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  list() {
    return this.storage.read
      .selectFrom("operators")
      .select(["id", "email", "created_at", "locked_until"])
      .orderBy("email")
      .execute();
  }

  /** Counts a wrong password atomically; at `max` locks until `lockUntil` and answers it. */
  async countFailedPassword(
    trx: Tx,
    id: string,
    max: number,
    lockUntil: number,
  ): Promise<number | null> {
    const counted = await trx
      .updateTable("operators")
      .set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1) }))
      .where("id", "=", id)
      .returning("failed_attempts")
      .executeTakeFirst();
    if (!counted || counted.failed_attempts < max) return null;
    await trx
      .updateTable("operators")
      .set({ locked_until: lockUntil, failed_attempts: 0 })
      .where("id", "=", id)
      .execute();
    return lockUntil;
  }

  /** Clears the lock and the count of wrong passwords; answers the id, or undefined. */
  async unlock(trx: Tx, email: string): Promise<string | undefined> {
    const row = await trx
      .updateTable("operators")
      .set({ failed_attempts: 0, locked_until: null })
      .where("email", "=", email)
      .returning("id")
      .executeTakeFirst();
    return row?.id;
  }

  async clearFailures(trx: Tx, id: string): Promise<void> {
    await trx
      .updateTable("operators")
      .set({ failed_attempts: 0, locked_until: null })
      .where("id", "=", id)
      .execute();
  }

  async count(): Promise<number> {
    const row = await this.storage.read
      .selectFrom("operators")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
