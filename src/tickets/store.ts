// The tickets table. The only file with tickets' SQL.
import type { Selectable } from "kysely";
import type { Reader, Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { TicketTable } from "../db/schema.js";

export type TicketRow = Selectable<TicketTable>;

/** The columns redemption needs (a narrower read than `select *`, which costs twice as much). */
const CORE_COLUMNS = [
  "id",
  "secret_hash",
  "partner_id",
  "account_id",
  "user_id",
  "app_id",
  "return_to",
  "bind_ip",
  "otp",
  "context",
  "status",
  "reason",
  "expires_at",
  "session_seconds",
  "last_failure",
] as const;
export type TicketCore = Pick<TicketRow, (typeof CORE_COLUMNS)[number]>;

type TicketParam =
  | "id"
  | "secret_hash"
  | "partner_id"
  | "account_id"
  | "api_token_id"
  | "user_id"
  | "app_id"
  | "return_to"
  | "bind_ip"
  | "fields"
  | "otp"
  | "partner_data_sealed"
  | "context"
  | "created_at"
  | "expires_at"
  | "session_seconds";

/** Every redemption (and the page before it) reads the ticket by its locator. */
const selectTicket = new PreparedQuery<TicketCore, "id">((db, p) =>
  db.selectFrom("tickets").select(CORE_COLUMNS).where("id", "=", p("id")),
);

/** Every mint counts the user's unused links (HANDOFF_TICKETS_PER_USER). */
const countOutstanding = new PreparedQuery<
  { count: number | string; next: number | string | null },
  "user_id" | "now"
>((db, p) =>
  db
    .selectFrom("tickets")
    .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("expires_at").as("next")])
    .where("user_id", "=", p("user_id"))
    .where("status", "=", "issued")
    .where("expires_at", ">", p<number>("now")),
);

/** The lock: only one redemption can move a ticket off "issued". */
const useTicket = new PreparedQuery<unknown, "id" | "now" | "session_id" | "not_before">((db, p) =>
  db
    .updateTable("tickets")
    .set({ status: "redeemed", finished_at: p<number>("now"), session_id: p("session_id") })
    .where("id", "=", p("id"))
    .where("status", "=", "issued")
    .where("expires_at", ">=", p<number>("not_before")),
);

/** Every mint runs this insert: compiled once per dialect (src/db/prepared.ts). */
const insertTicket = new PreparedQuery<unknown, TicketParam>((db, p) =>
  db.insertInto("tickets").values({
    id: p("id"),
    secret_hash: p("secret_hash"),
    partner_id: p("partner_id"),
    account_id: p("account_id"),
    api_token_id: p("api_token_id"),
    user_id: p("user_id"),
    app_id: p("app_id"),
    return_to: p("return_to"),
    bind_ip: p("bind_ip"),
    fields: p("fields"),
    otp: p("otp"),
    partner_data_sealed: p("partner_data_sealed"),
    context: p("context"),
    status: "issued",
    reason: null,
    created_at: p<number>("created_at"),
    expires_at: p<number>("expires_at"),
    finished_at: null,
    session_id: null,
    last_failure: null,
    last_failure_at: null,
    session_seconds: p<number | null>("session_seconds"),
  }),
);

export type NewTicket = Record<TicketParam, unknown>;

export class TicketStore {
  constructor(private readonly storage: Storage) {}

  async insert(trx: Tx, ticket: NewTicket): Promise<void> {
    await insertTicket.execute(trx, ticket);
  }

  /** What redemption (and the page before it) reads, by the ticket's locator. */
  async core(id: string): Promise<TicketCore | undefined> {
    return (await selectTicket.execute(this.storage.read, { id })).rows[0];
  }

  find(id: string): Promise<TicketRow | undefined> {
    return this.storage.read
      .selectFrom("tickets")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** A ticket of this minting partner only. */
  findOwn(partnerId: string, id: string): Promise<TicketRow | undefined> {
    return this.storage.read
      .selectFrom("tickets")
      .selectAll()
      .where("id", "=", id)
      .where("partner_id", "=", partnerId)
      .executeTakeFirst();
  }

  /**
   * A ticket of this minting partner with what became of it beyond its row: the session it made
   * (when it still exists) and its one-time code's sends and wrong tries (the console's per-link
   * timeline). The session's and code's columns are null when there are none.
   */
  storyOf(partnerId: string, id: string) {
    return this.storage.read
      .selectFrom("tickets as t")
      .leftJoin("sessions as s", "s.id", "t.session_id")
      .leftJoin("ticket_otp as o", "o.ticket_id", "t.id")
      .selectAll("t")
      .select([
        "s.created_at as session_created_at",
        "s.expires_at as session_expires_at",
        "s.ended_at as session_ended_at",
        "s.end_reason as session_end_reason",
        "s.otp_verified_at as session_otp_verified_at",
        "o.sends as otp_sends",
        "o.last_sent_at as otp_last_sent_at",
        "o.failures as otp_failures",
      ])
      .where("t.id", "=", id)
      .where("t.partner_id", "=", partnerId)
      .executeTakeFirst();
  }

  /** The newest tickets minted by these partners (the console's activity), before a cursor. */
  listForPartners(
    partnerIds: string[],
    page: { before?: number | undefined; limit: number },
  ): Promise<TicketRow[]> {
    let query = this.storage.read
      .selectFrom("tickets")
      .selectAll()
      .where("partner_id", "in", partnerIds);
    if (page.before !== undefined) query = query.where("created_at", "<", page.before);
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(page.limit).execute();
  }

  /** A user's newest tickets minted by this partner (the console's page of one user). */
  listForUser(partnerId: string, userId: string, limit: number): Promise<TicketRow[]> {
    return this.storage.read
      .selectFrom("tickets")
      .selectAll()
      .where("user_id", "=", userId)
      .where("partner_id", "=", partnerId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
  }

  /**
   * The lock: moves the ticket off "issued" only while it is issued and not expired (minus
   * `notBefore`'s tolerance). True for exactly one of any number of concurrent callers.
   */
  async use(
    trx: Tx,
    id: string,
    use: { now: number; sessionId: string; notBefore: number },
  ): Promise<boolean> {
    const result = await useTicket.execute(trx, {
      id,
      now: use.now,
      session_id: use.sessionId,
      not_before: use.notBefore,
    });
    return result.numAffectedRows === 1;
  }

  /** How many unused, unexpired tickets a user holds, and when the first of them expires. */
  async outstanding(
    db: Reader | Tx,
    userId: string,
    now: number,
  ): Promise<{ count: number; next: number }> {
    const row = (await countOutstanding.execute(db, { user_id: userId, now })).rows[0];
    return { count: Number(row?.count ?? 0), next: Number(row?.next ?? now) };
  }

  /** Revokes an issued ticket; false when it was no longer issued. */
  /** The user's newest redeemed tickets for these apps that carried partner data (at most 5). */
  latestPartnerData(
    userId: string,
    appIds: string[],
  ): Promise<Pick<TicketRow, "id" | "partner_id" | "partner_data_sealed">[]> {
    return this.storage.read
      .selectFrom("tickets")
      .select(["id", "partner_id", "partner_data_sealed"])
      .where("user_id", "=", userId)
      .where("app_id", "in", appIds)
      .where("status", "=", "redeemed")
      .where("partner_data_sealed", "is not", null)
      .orderBy("created_at", "desc")
      .limit(5)
      .execute();
  }

  async revoke(trx: Tx, id: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("tickets")
      .set({ status: "revoked", reason: "revoked", finished_at: now })
      .where("id", "=", id)
      .where("status", "=", "issued")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Revokes every issued ticket of a user; answers how many. */
  async revokeForUser(trx: Tx, userId: string, now: number): Promise<number> {
    const result = await trx
      .updateTable("tickets")
      .set({ status: "revoked", reason: "revoked", finished_at: now })
      .where("user_id", "=", userId)
      .where("status", "=", "issued")
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Records a refused redemption; with `reject`, an issued ticket is rejected for good. One
   * UPDATE either way: a finished ticket keeps its status, reason and time.
   */
  async recordFailure(
    trx: Tx,
    id: string,
    failure: { reason: string; now: number; reject: boolean },
  ): Promise<void> {
    await trx
      .updateTable("tickets")
      .set((eb) => {
        const failed = { last_failure: failure.reason, last_failure_at: failure.now };
        if (!failure.reject) return failed;
        const stillIssued = eb("status", "=", "issued");
        return {
          ...failed,
          status: eb
            .case()
            .when(stillIssued)
            .then("rejected" as const)
            .else(eb.ref("status"))
            .end(),
          reason: eb.case().when(stillIssued).then(failure.reason).else(eb.ref("reason")).end(),
          finished_at: eb
            .case()
            .when(stillIssued)
            .then(failure.now)
            .else(eb.ref("finished_at"))
            .end(),
        };
      })
      .where("id", "=", id)
      .execute();
  }

  /**
   * Notes on the ticket that a dead link's page was opened: once per reason (true when this call
   * changed it), so a link opened again and again writes nothing more.
   */
  async noteFailure(trx: Tx, id: string, reason: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("tickets")
      .set({ last_failure: reason, last_failure_at: now })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("last_failure", "is", null), eb("last_failure", "<>", reason)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deletes up to `limit` tickets expired before `before`, unless a session still reads them. */
  async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("tickets as t")
      .select("t.id")
      .where("t.expires_at", "<", before)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(selectFrom("sessions as s").select("s.id").whereRef("s.id", "=", "t.session_id")),
        ),
      )
      .limit(limit);
    return deleteSelected(trx, "tickets", "id", selected);
  }
}
