// The signing_keys table. The only file with its SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { SigningKeyTable } from "../db/schema.js";

export type SigningKeyRow = Selectable<SigningKeyTable>;

export class SigningKeyStore {
  constructor(private readonly storage: Storage) {}

  /** Keys neither revoked nor retired at `now`. */
  live(now: number): Promise<SigningKeyRow[]> {
    return this.storage.read
      .selectFrom("signing_keys")
      .selectAll()
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("retire_at", "is", null), eb("retire_at", ">", now)]))
      .execute();
  }

  /** Adds a key of `row.alg`; the current ones of that algorithm retire at `retireAt`. */
  async replace(trx: Tx, row: SigningKeyRow, retireAt: number): Promise<void> {
    await trx
      .updateTable("signing_keys")
      .set({ retire_at: retireAt })
      .where("retire_at", "is", null)
      .where("revoked_at", "is", null)
      .where("alg", "=", row.alg)
      .execute();
    await trx.insertInto("signing_keys").values(row).execute();
  }

  async revoke(trx: Tx, kid: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("signing_keys")
      .set({ revoked_at: now })
      .where("kid", "=", kid)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
