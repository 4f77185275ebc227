// The console_sessions table. The only file with its SQL.
import type { Insertable, Selectable } from "kysely";
import type { Storage, Tx } from "../../db/database.js";
import type { ConsoleSessionTable, ConsoleTotpTable } from "../../db/schema.js";

export type ConsoleSessionRow = Selectable<ConsoleSessionTable>;

export class ConsoleSessionStore {
  constructor(private readonly storage: Storage) {}

  async insert(trx: Tx, row: Insertable<ConsoleSessionTable>): Promise<void> {
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

  /** The second factor is given: the session opens the console now. */
  async clearPending(trx: Tx, id: string): Promise<void> {
    await trx
      .updateTable("console_sessions")
      .set({ totp_pending: 0 })
      .where("id", "=", id)
      .execute();
  }

  /** Counts a wrong code on the session; answers the count so far. */
  async countTotpFailure(trx: Tx, id: string): Promise<number> {
    const row = await trx
      .updateTable("console_sessions")
      .set((eb) => ({ totp_failures: eb("totp_failures", "+", 1) }))
      .where("id", "=", id)
      .returning("totp_failures")
      .executeTakeFirst();
    return row?.totp_failures ?? Number.POSITIVE_INFINITY;
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

export type ConsoleTotpRow = Selectable<ConsoleTotpTable>;

/** The console_totp table: one second factor per person. */
export class ConsoleTotpStore {
  constructor(private readonly storage: Storage) {}

  find(personId: string): Promise<ConsoleTotpRow | undefined> {
    return this.storage.read
      .selectFrom("console_totp")
      .selectAll()
      .where("person_id", "=", personId)
      .executeTakeFirst();
  }

  /** Starts (or restarts) an enrolment; false when the person already has one enabled. */
  async begin(trx: Tx, personId: string, secretSealed: string, now: number): Promise<boolean> {
    await trx
      .deleteFrom("console_totp")
      .where("person_id", "=", personId)
      .where("enabled_at", "is", null)
      .execute();
    const row = await trx
      .insertInto("console_totp")
      .values({ person_id: personId, secret_sealed: secretSealed, created_at: now })
      .onConflict((oc) => oc.column("person_id").doNothing())
      .returning("person_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Enables a pending enrolment with its first code's step and the recovery codes' hashes. */
  async enable(
    trx: Tx,
    personId: string,
    step: number,
    recoveryHashes: string[],
    now: number,
  ): Promise<boolean> {
    const row = await trx
      .updateTable("console_totp")
      .set({ enabled_at: now, last_step: step, recovery_hashes: JSON.stringify(recoveryHashes) })
      .where("person_id", "=", personId)
      .where("enabled_at", "is", null)
      .returning("person_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Spends a time step: true for exactly one caller, and only for a step after the last used. */
  async useStep(trx: Tx, personId: string, step: number): Promise<boolean> {
    const row = await trx
      .updateTable("console_totp")
      .set({ last_step: step })
      .where("person_id", "=", personId)
      .where("enabled_at", "is not", null)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
      .returning("person_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Swaps the recovery hashes if nobody changed them since they were read (one use each). */
  async replaceRecovery(
    trx: Tx,
    personId: string,
    before: string,
    after: string,
  ): Promise<boolean> {
    const row = await trx
      .updateTable("console_totp")
      .set({ recovery_hashes: after })
      .where("person_id", "=", personId)
      .where("recovery_hashes", "=", before)
      .returning("person_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  async remove(trx: Tx, personId: string): Promise<void> {
    await trx.deleteFrom("console_totp").where("person_id", "=", personId).execute();
  }
}
