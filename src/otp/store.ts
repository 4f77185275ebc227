// The ticket_otp table. The only file with its SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { TicketOtpTable } from "../db/schema.js";

export type TicketOtpRow = Selectable<TicketOtpTable>;

export class OtpStore {
  constructor(private readonly storage: Storage) {}

  /** The ticket's code state, made at mint. */
  async create(trx: Tx, ticketId: string, destination: string): Promise<void> {
    await trx
      .insertInto("ticket_otp")
      .values({
        ticket_id: ticketId,
        destination,
        code_hash: null,
        code_expires_at: null,
        last_sent_at: null,
        outbox_id: null,
      })
      .execute();
  }

  find(ticketId: string): Promise<TicketOtpRow | undefined> {
    return this.storage.read
      .selectFrom("ticket_otp")
      .selectAll()
      .where("ticket_id", "=", ticketId)
      .executeTakeFirst();
  }

  /**
   * Records a new code, only while the ticket has sends left, the cooldown has passed and no
   * send is in progress from another request: true for exactly one of two concurrent sends.
   */
  async recordSend(
    trx: Tx,
    ticketId: string,
    send: {
      destination: string;
      codeHash: string;
      expiresAt: number;
      now: number;
      cooldownMs: number;
      maxSends: number;
      outboxId: string;
    },
  ): Promise<boolean> {
    const row = await trx
      .updateTable("ticket_otp")
      .set((eb) => ({
        destination: send.destination,
        code_hash: send.codeHash,
        code_expires_at: send.expiresAt,
        sends: eb("sends", "+", 1),
        last_sent_at: send.now,
        outbox_id: send.outboxId,
      }))
      .where("ticket_id", "=", ticketId)
      .where("sends", "<", send.maxSends)
      .where((eb) =>
        eb.or([
          eb("last_sent_at", "is", null),
          eb("last_sent_at", "<=", send.now - send.cooldownMs),
        ]),
      )
      .returning("ticket_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Spends the code: true for exactly one caller, and only for the right, live code. */
  async consume(
    trx: Tx,
    ticketId: string,
    codeHash: string,
    now: number,
    maxFailures: number,
  ): Promise<boolean> {
    const row = await trx
      .updateTable("ticket_otp")
      .set({ code_hash: null })
      .where("ticket_id", "=", ticketId)
      .where("code_hash", "=", codeHash)
      .where("code_expires_at", ">=", now)
      .where("failures", "<", maxFailures)
      .returning("ticket_id")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Counts a wrong code; answers the count. */
  async countFailure(trx: Tx, ticketId: string): Promise<number> {
    const row = await trx
      .updateTable("ticket_otp")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("ticket_id", "=", ticketId)
      .returning("failures")
      .executeTakeFirst();
    return row?.failures ?? 0;
  }
}
