// Tickets: single-use login links. Minted by a partner for one user and one app; redeemed once,
// atomically, by the user's browser; every refusal leaves its reason on the ticket.
import type { App, AppService } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { mintSecret, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import type { Allowance } from "../http/allowance.js";
import { ipMatches } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { OtpService } from "../otp/service.js";
import type { SessionService } from "../sessions/service.js";
import { reachablePhone } from "../users/phone.js";
import type { UserService } from "../users/service.js";
import { mintOptions } from "./mint-options.js";
import type { FailureReason, MintedTicket, MintInput, Preview, RedeemOutcome } from "./model.js";
import {
  failureDetail,
  LostRace,
  landingFor,
  openSession,
  previewOf,
  type RedeemRequest,
  type SessionOpening,
  WrongCode,
} from "./redeem.js";
import { landingUrl } from "./return-path.js";
import { minted, newTicket, redemption } from "./rows.js";
import { deadReason, type TicketStatusView, ticketView } from "./status.js";
import type { TicketCore, TicketRow, TicketStore } from "./store.js";
import { type TicketStory, ticketStory } from "./story.js";

export {
  type FailureReason,
  loginUrl,
  type MintedTicket,
  type MintInput,
  OTP_MODES,
  type OtpMode,
  type Preview,
  type RedeemOutcome,
} from "./model.js";
export type { TicketStatusView } from "./status.js";
export { TICKET_CLOCK_TOLERANCE_MS } from "./status.js";
export type { TicketRow } from "./store.js";
export type { TicketStory } from "./story.js";

export class TicketService {
  constructor(
    private readonly storage: Storage,
    private readonly store: TicketStore,
    private readonly clock: Clock,
    private readonly sealer: Sealer,
    private readonly apps: AppService,
    private readonly users: UserService,
    private readonly sessions: SessionService,
    private readonly auth: AuthService,
    private readonly limits: { mints: Allowance; ticketsPerUser: number },
    private readonly otp: OtpService,
    private readonly audit: AuditLog,
  ) {}

  async mint(input: MintInput): Promise<MintedTicket> {
    const app = await this.apps.find(input.appId);
    if (!app) throw new HandoffError("unknown_app", `no app ${input.appId}`);
    const { ttl, returnTo, bindIp } = mintOptions(input, app);
    const accountId = input.onBehalfOf ?? input.partnerId;
    if (accountId !== input.partnerId && !(await this.auth.standing(input.partnerId, accountId))) {
      throw new HandoffError("not_linked");
    }
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.ticket);
    const expiresAt = now + ttl * 1000;
    const wait = await this.limits.mints.take(input.partnerId);
    if (wait !== null) {
      throw new HandoffError(
        "quota_exceeded",
        `at most ${this.limits.mints.perMinute} login links a minute for this partner`,
        { headers: { "retry-after": String(wait) } },
      );
    }
    const userId = await this.storage.write(async (trx) => {
      const user = await this.users.upsert(trx, accountId, input.user, now);
      const destination = this.otp.destinationAtMint(
        input.otp ?? "none",
        { email: user.email, phone: reachablePhone(user.phone_number, user.phone_country_code) },
        input.fields,
      );
      const held = await this.store.outstanding(trx, user.id, now);
      if (held.count >= this.limits.ticketsPerUser) {
        throw new HandoffError(
          "quota_exceeded",
          `user ${input.user.id} already holds ${held.count} unused login links`,
          { headers: { "retry-after": String(Math.max(1, Math.ceil((held.next - now) / 1000))) } },
        );
      }
      await this.store.insert(
        trx,
        newTicket(
          input,
          { secret, accountId, userId: user.id, appId: app.id, returnTo, bindIp },
          now,
          expiresAt,
          this.sealer,
        ),
      );
      if (destination !== null) await this.otp.atMint(trx, secret.id, destination);
      await this.audit.record(trx, minted(input, secret.id, user, app.id, accountId, now));
      return user.id;
    });
    return { id: secret.id, ticket: secret.token, expiresAt, userId, app };
  }

  /** The ticket as its minting partner sees it; not_found for anyone else. */
  async status(partnerId: string, id: string): Promise<TicketStatusView> {
    const row = await this.#ownRow(partnerId, id);
    return ticketView(row, this.clock.now());
  }

  /** Revokes an issued ticket; a finished one is left as it is. Returns the resulting status. */
  async revoke(
    partnerId: string,
    id: string,
    ip: string,
    actor = partnerId,
  ): Promise<TicketStatusView> {
    const row = await this.#ownRow(partnerId, id);
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      const revoked = await this.store.revoke(trx, id, now);
      await this.audit.record(trx, {
        at: now,
        actor,
        action: "ticket.revoke",
        partnerId,
        subject: id,
        ip,
        outcome: revoked ? "ok" : row.status,
      });
    });
    return ticketView(await this.#ownRow(partnerId, id), this.clock.now());
  }

  /** Revokes every outstanding ticket of a user; returns how many. */
  async revokeForUser(
    userId: string,
    partnerId: string,
    ip: string,
    actor = partnerId,
  ): Promise<number> {
    const now = this.clock.now();
    return this.storage.write(async (trx) => {
      const n = await this.store.revokeForUser(trx, userId, now);
      await this.audit.record(trx, {
        at: now,
        actor,
        action: "user.tickets.revoke",
        partnerId,
        subject: userId,
        ip,
        outcome: "ok",
        detail: { tickets: n },
      });
      return n;
    });
  }

  /**
   * A user's unused, unexpired login links (what revokeForUser would stop), and the newest
   * `limit` this partner minted for them, as it sees each one (the console's page of one user).
   */
  async ofUser(
    partnerId: string,
    userId: string,
    limit: number,
  ): Promise<{ outstanding: number; recent: TicketStatusView[] }> {
    const now = this.clock.now();
    const { count } = await this.store.outstanding(this.storage.read, userId, now);
    const rows = await this.store.listForUser(partnerId, userId, limit);
    return { outstanding: count, recent: rows.map((row) => ticketView(row, now)) };
  }

  /**
   * The partner's auth_token for a user (seed 002's tpd.auth_token), from the newest login link
   * for one of `appIds` (an app and its sign-in group) that was used and carried one; null when
   * none did.
   */
  async authTokenOf(
    userId: string,
    appIds: string[],
  ): Promise<{ partnerId: string; authToken: string } | null> {
    for (const row of await this.store.latestPartnerData(userId, appIds)) {
      if (!row.partner_data_sealed) continue;
      const data = JSON.parse(this.sealer.open(row.partner_data_sealed, `ticket:${row.id}`)) as {
        auth_token?: unknown;
      };
      if (typeof data.auth_token === "string") {
        return { partnerId: row.partner_id, authToken: data.auth_token };
      }
    }
    return null;
  }

  /**
   * What the page in front of the link shows. A GET never uses a ticket. With `seenFrom` (the
   * page a person opened, from that address), a dead link's reason is noted on the ticket and in
   * the audit log, once per reason: why a login failed shows even when no POST followed.
   */
  async preview(token: string, seenFrom?: string): Promise<Preview> {
    const found = await this.#find(token);
    if (!found) return { ok: false, reason: "not_found", app: null };
    const now = this.clock.now();
    const preview = previewOf(found.row, found.app, now);
    if (!preview.ok && seenFrom !== undefined && found.row.last_failure !== preview.reason) {
      await this.#seen(found.row, preview.reason, seenFrom, now);
    }
    return preview;
  }

  async #seen(row: TicketCore, reason: FailureReason, ip: string, now: number): Promise<void> {
    await this.storage.write(async (trx) => {
      if (!(await this.store.noteFailure(trx, row.id, reason, now))) return;
      const detail = { ...failureDetail(row, reason, now), seen_on: "page" };
      await this.audit.record(trx, redemption(row, now, ip, reason, detail));
    });
  }

  /**
   * Redeems a ticket: checks it, then in one transaction marks it used (only if it is still
   * issued), creates the session and ends the one the browser held. Exactly one of any number
   * of concurrent redemptions wins; the others see already_used.
   */
  async redeem(token: string, request: RedeemRequest): Promise<RedeemOutcome> {
    const found = await this.#find(token);
    if (!found) return { ok: false, reason: "not_found", app: null };
    const { row, app } = found;
    const landing = landingFor(row, request.view);
    if (landing === undefined) return { ok: false, reason: "not_found", app: null };
    const now = this.clock.now();
    const dead = deadReason(row, now);
    if (dead) {
      await this.#failed(row, dead, request.ip, false);
      return { ok: false, reason: dead, app };
    }
    if (!(await this.auth.standing(row.partner_id, row.account_id))) {
      await this.#failed(row, "partner_inactive", request.ip, true);
      return { ok: false, reason: "partner_inactive", app };
    }
    if (row.bind_ip !== null && !ipMatches(row.bind_ip, request.ip, app.ipBinding)) {
      await this.#failed(row, "ip_mismatch", request.ip, true);
      return { ok: false, reason: "ip_mismatch", app };
    }
    // A ticket that asks for a one-time code redeems only with the right one (src/otp/).
    if (row.otp !== "none" && request.code === undefined) {
      return { ok: "step", app, wrongCode: false };
    }
    try {
      const sessionSeconds = Math.min(
        app.sessionAbsoluteSeconds,
        row.session_seconds ?? Number.POSITIVE_INFINITY,
      );
      const session = await openSession(this.#opening(), row, request, now, sessionSeconds);
      return {
        ok: true,
        sessionToken: session.token,
        sessionId: session.id,
        location: landingUrl(app.baseUrl, landing),
        app,
        sessionSeconds,
      };
    } catch (error) {
      if (error instanceof WrongCode) {
        const last = await this.storage.write(async (trx) => {
          // Not a ticket.redeem entry: a wrong code is no refusal yet (no ticket.rejected event).
          await this.audit.record(trx, {
            ...redemption(row, now, request.ip, "otp_wrong"),
            action: "ticket.otp_wrong",
          });
          return this.otp.countFailure(trx, row.id);
        });
        if (!last) {
          const expired = await this.otp.codeExpired(row.id);
          return { ok: "step", app, wrongCode: expired ? "expired" : "wrong" };
        }
        await this.#failed(row, "otp_failed", request.ip, true);
        return { ok: false, reason: "otp_failed", app };
      }
      if (!(error instanceof LostRace)) throw error;
      const latest = await this.store.find(row.id);
      const reason = (latest && deadReason(latest, now)) || "already_used";
      if (latest) await this.#failed(latest, reason, request.ip, false);
      return { ok: false, reason, app };
    }
  }

  #opening(): SessionOpening {
    const { storage, store, sessions, otp, audit } = this;
    return { storage, store, sessions, otp, audit };
  }

  async #find(token: string): Promise<{ row: TicketCore; app: App } | null> {
    const parsed = parseSecret(SecretPrefix.ticket, token);
    if (!parsed) return null;
    const row = await this.store.core(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const app = await this.apps.find(row.app_id);
    return app ? { row, app } : null;
  }

  /** Records a refused redemption on the ticket (and rejects it for good when `reject`). */
  async #failed(row: TicketCore, reason: FailureReason, ip: string, reject: boolean) {
    const now = this.clock.now();
    const detail = failureDetail(row, reason, now);
    await this.storage.write(async (trx) => {
      await this.store.recordFailure(trx, row.id, { reason, now, reject });
      await this.audit.record(trx, redemption(row, now, ip, reason, detail));
    });
  }

  /** A ticket of this minting partner and what became of it (the console's timeline). */
  story(partnerId: string, id: string): Promise<TicketStory> {
    return ticketStory(this.store, this.clock.now(), partnerId, id);
  }

  /** The newest tickets of these partners, as their minting partner sees each one. */
  async list(
    partnerIds: string[],
    page: { before?: number | undefined; limit: number },
  ): Promise<TicketStatusView[]> {
    const now = this.clock.now();
    return (await this.store.listForPartners(partnerIds, page)).map((row) => ticketView(row, now));
  }

  async #ownRow(partnerId: string, id: string): Promise<TicketRow> {
    const row = await this.store.findOwn(partnerId, id);
    if (!row) throw new HandoffError("not_found", `no ticket ${id}`);
    return row;
  }
}
