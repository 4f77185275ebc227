// The sessions table (with the user and ticket a session reads its claims from). The only file
// with sessions' SQL.
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { SessionTable, TicketTable, UserTable } from "../db/schema.js";

/** What a new session's row holds (the idle clock starts at `created_at`). */
export type SessionRow = Omit<SessionTable, "last_seen_at" | "ended_at" | "end_reason">;

/** A session with what apps learn about it: its user's attributes and its ticket's settings. */
export type SessionFacts = Omit<SessionTable, "id" | "end_reason"> &
  Pick<UserTable, "external_id" | "email" | "name" | "phone_number" | "phone_country_code"> &
  Pick<TicketTable, "fields" | "otp" | "context" | "partner_data_sealed"> & {
    /** Where the ticket's one-time code went (the typed address, for alternate_email). */
    otp_destination: string | null;
  };

/** Every redemption runs this insert: compiled once per dialect (src/db/prepared.ts). */
const insertSession = new PreparedQuery<unknown, keyof SessionRow>((db, p) =>
  db.insertInto("sessions").values({
    id: p("id"),
    secret_hash: p("secret_hash"),
    user_id: p("user_id"),
    partner_id: p("partner_id"),
    account_id: p("account_id"),
    app_id: p("app_id"),
    ticket_id: p("ticket_id"),
    created_at: p<number>("created_at"),
    last_seen_at: p<number>("created_at"),
    expires_at: p<number>("expires_at"),
    ended_at: null,
    end_reason: null,
    otp_mode: p("otp_mode"),
    otp_verified_at: p("otp_verified_at"),
  }),
);

const selectFacts = new PreparedQuery<SessionFacts, "id">((db, p) =>
  db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .innerJoin("tickets as t", "t.id", "s.ticket_id")
    .leftJoin("ticket_otp as o", "o.ticket_id", "s.ticket_id")
    .select([
      "s.secret_hash",
      "s.user_id",
      "s.partner_id",
      "s.account_id",
      "s.app_id",
      "s.ticket_id",
      "s.created_at",
      "s.last_seen_at",
      "s.expires_at",
      "s.ended_at",
      "u.external_id",
      "u.email",
      "u.name",
      "u.phone_number",
      "u.phone_country_code",
      "t.fields",
      "s.otp_mode",
      "s.otp_verified_at",
      "o.destination as otp_destination",
      "t.context",
      "t.partner_data_sealed",
    ])
    .where("s.id", "=", p("id")),
);

export class SessionStore {
  constructor(private readonly storage: Storage) {}

  async insert(trx: Tx, row: SessionRow): Promise<void> {
    await insertSession.execute(trx, row);
  }

  async facts(id: string): Promise<SessionFacts | undefined> {
    return (await selectFacts.execute(this.storage.read, { id })).rows[0];
  }

  /** Moves the idle clock of a live session. */
  async touch(trx: Tx, id: string, now: number): Promise<void> {
    await trx
      .updateTable("sessions")
      .set({ last_seen_at: now })
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .execute();
  }

  /** What ending a session by its cookie needs, read inside the transaction that ends it. */
  findForEnd(trx: Tx, id: string) {
    return trx
      .selectFrom("sessions")
      .select(["secret_hash", "partner_id", "ended_at"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  async end(trx: Tx, id: string, now: number, reason: string): Promise<boolean> {
    const result = await trx
      .updateTable("sessions")
      .set({ ended_at: now, end_reason: reason })
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** How many sessions of a user are neither ended nor past their absolute limit. */
  async countLive(userId: string, now: number): Promise<number> {
    const row = await this.storage.read
      .selectFrom("sessions")
      .select((eb) => eb.fn.countAll<number | string>().as("count"))
      .where("user_id", "=", userId)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /**
   * Ends every live session of a user (not ended, within its absolute limit: what `countLive`
   * counts); answers their ids. One already past its limit stays as it ended: expired.
   */
  async endForUser(trx: Tx, userId: string, now: number): Promise<string[]> {
    const ended = await trx
      .updateTable("sessions")
      .set({ ended_at: now, end_reason: "revoked" })
      .where("user_id", "=", userId)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .returning("id")
      .execute();
    return ended.map((row) => row.id);
  }

  /** Deletes up to `limit` sessions that expired, or ended, before `before`. */
  async prune(trx: Tx, before: number, limit: number): Promise<number> {
    let deleted = 0;
    // Two statements, each on its own index, rather than one OR that scans.
    for (const column of ["expires_at", "ended_at"] as const) {
      const selected = trx.selectFrom("sessions").select("id").where(column, "<", before);
      deleted += await deleteSelected(trx, "sessions", "id", selected.limit(limit - deleted));
      if (deleted >= limit) break;
    }
    return deleted;
  }
}
