// The operators table. The only file with its SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { OperatorTable } from "../db/schema.js";

export type OperatorRow = Selectable<OperatorTable>;

export class OperatorStore {
  constructor(private readonly storage: Storage) {}

  /** Inserts an operator; undefined when the email is taken. */
  insert(trx: Tx, row: OperatorRow): Promise<{ id: string } | undefined> {
    return trx
      .insertInto("operators")
      .values(row)
      .onConflict((oc) => oc.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();
  }

  async count(): Promise<number> {
    const row = await this.storage.read
      .selectFrom("operators")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
