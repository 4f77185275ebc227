// Sessions: what a redeemed ticket leaves in the browser. The cookie holds an `hss_` secret; the
// row holds its hash, the user, the app and the limits. Checked on every forward-auth request,
// so the check is a cache hit, a hash compare and a few comparisons; the database sees at most
// one idle-time write per session per minute.
import type { App, AppService } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { type MintedSecret, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import { SharedCache } from "../db/cache.js";
import type { Storage, Tx } from "../db/database.js";
import type { SessionFacts, SessionStore } from "./store.js";

const CACHE_SIZE = 10_000;
/** The idle clock is written back at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

/** What an app learns about a live session. */
export interface LiveSession {
  id: string;
  userId: string;
  externalId: string;
  email: string | null;
  name: string | null;
  phone: { number: string; country_code: string } | null;
  /** The partner whose ticket made the session. */
  partnerId: string;
  /** The account the user belongs to (the partner itself, or the sub-account it acted for). */
  accountId: string;
  appId: string;
  ticketId: string;
  createdAt: number;
  lastSeenAt: number;
  /** When the session ends if nothing else ends it first: the earlier of idle and absolute. */
  expiresAt: number;
  /** The absolute limit alone. */
  absoluteAt: number;
  fields: Record<string, unknown> | null;
  /** The one-time code the person gave at sign-in: its mode and when; null when none was asked. */
  /** The code the person gave; `alternateEmail`: the address they typed, for alternate_email. */
  otp: { mode: string; verifiedAt: number; alternateEmail: string | null } | null;
  context: Record<string, unknown> | null;
  partnerDataSealed: string | null;
}

/**
 * The `amr` values Handoff asserts (RFC 8176 where it has one): `link` (a partner's single-use
 * login link), and after a one-time code also `otp` and `mfa` (the link and the code are two).
 */
export function amrOf(session: Pick<LiveSession, "otp">): string[] {
  return session.otp === null ? ["link"] : ["link", "otp", "mfa"];
}

interface Cached {
  view: LiveSession;
  secretHash: string;
  absoluteAt: number;
  idleMs: number;
  endedAt: number | null;
}

/**
 * Told, inside the transaction that ends them, which sessions ended (logout, replaced by a new
 * redemption, a user's sessions revoked, a partner suspended): whatever must follow a session's
 * end (OIDC back-channel logout) is written with it, or not at all.
 */
export type SessionsEnded = (trx: Tx, sessionIds: string[], now: number) => Promise<void>;

export interface NewSession {
  userId: string;
  partnerId: string;
  accountId: string;
  appId: string;
  ticketId: string;
  absoluteSeconds: number;
  /** The one-time-code mode the person passed, when the ticket asked for one. */
  otpMode?: string | null;
}

export class SessionService {
  readonly #cache: SharedCache<Cached>;

  constructor(
    private readonly storage: Storage,
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly apps: AppService,
    private readonly auth: AuthService,
    private readonly sealer: Sealer,
    cacheMs: number,
    private readonly audit: AuditLog,
    private readonly ended: SessionsEnded = async () => {},
  ) {
    this.#cache = new SharedCache(storage.changes, () => clock.now(), cacheMs, CACHE_SIZE);
  }

  /** Inserts a session inside the redemption's transaction; returns the cookie value. */
  async create(
    trx: Tx,
    secret: MintedSecret,
    input: NewSession,
  ): Promise<{ id: string; token: string }> {
    const now = this.clock.now();
    await this.store.insert(trx, {
      id: secret.id,
      secret_hash: secret.hash,
      user_id: input.userId,
      partner_id: input.partnerId,
      account_id: input.accountId,
      app_id: input.appId,
      ticket_id: input.ticketId,
      created_at: now,
      expires_at: now + input.absoluteSeconds * 1000,
      otp_mode: input.otpMode ?? null,
      otp_verified_at: input.otpMode ? now : null,
    });
    return { id: secret.id, token: secret.token };
  }

  /** The live session a cookie value stands for, or null. Never throws for a bad cookie. */
  async check(token: string | undefined): Promise<LiveSession | null> {
    return (await this.inspect(token)).session;
  }

  /**
   * The live session a cookie value stands for, and whether the value was forged: a malformed
   * `hss_` value, or a known session's id with the wrong secret (an ended, expired or pruned
   * session's cookie is not forged; browsers keep those).
   */
  async inspect(
    token: string | undefined,
  ): Promise<{ session: LiveSession | null; forged: boolean }> {
    const parsed = parseSecret(SecretPrefix.session, token);
    if (!parsed)
      return { session: null, forged: token?.startsWith(`${SecretPrefix.session}_`) === true };
    const entry = this.#cache.get(parsed.id) ?? (await this.#load(parsed.id));
    if (!entry) return { session: null, forged: false };
    if (!secretMatches(parsed.secret, entry.secretHash)) return { session: null, forged: true };
    return { session: await this.#usable(parsed.id, entry), forged: false };
  }

  async #usable(id: string, entry: Cached): Promise<LiveSession | null> {
    const now = this.clock.now();
    if (entry.endedAt !== null || now >= entry.absoluteAt) return null;
    if (now >= entry.view.lastSeenAt + entry.idleMs) {
      // Another node may have seen the session more recently: ask the database before refusing.
      const fresh = await this.#load(id);
      if (!fresh || fresh.endedAt !== null || now >= fresh.view.lastSeenAt + fresh.idleMs)
        return null;
      return this.#standing(fresh, now);
    }
    return this.#standing(entry, now);
  }

  /** The session's view when its partner is in good standing; moves the idle clock now and then. */
  async #standing(entry: Cached, now: number): Promise<LiveSession | null> {
    if (!(await this.auth.standing(entry.view.partnerId, entry.view.accountId))) return null;
    if (now - entry.view.lastSeenAt >= Math.min(TOUCH_EVERY_MS, entry.idleMs / 4)) {
      await this.storage.write((trx) => this.store.touch(trx, entry.view.id, now));
      entry.view.lastSeenAt = now;
      entry.view.expiresAt = Math.min(entry.absoluteAt, now + entry.idleMs);
    }
    return entry.view;
  }

  /**
   * A session by id, for an app's backend acting on it (OIDC code exchange, refresh, userinfo):
   * live while not ended, within its absolute limit and its partner in good standing. The idle
   * limit is the browser's and is not applied here.
   */
  async live(id: string): Promise<LiveSession | null> {
    const now = this.clock.now();
    const entry = this.#cache.get(id) ?? (await this.#load(id));
    if (!entry || entry.endedAt !== null || now >= entry.absoluteAt) return null;
    if (!(await this.auth.standing(entry.view.partnerId, entry.view.accountId))) return null;
    return entry.view;
  }

  async #load(id: string): Promise<Cached | null> {
    const row: SessionFacts | undefined = await this.store.facts(id);
    if (!row) return null;
    const app = await this.apps.find(row.app_id);
    if (!app) return null;
    const idleMs = app.sessionIdleSeconds * 1000;
    const entry: Cached = {
      secretHash: row.secret_hash,
      absoluteAt: row.expires_at,
      idleMs,
      endedAt: row.ended_at,
      view: {
        id,
        userId: row.user_id,
        externalId: row.external_id,
        email: row.email,
        name: row.name,
        phone:
          row.phone_number !== null
            ? { number: row.phone_number, country_code: row.phone_country_code ?? "" }
            : null,
        partnerId: row.partner_id,
        accountId: row.account_id,
        appId: row.app_id,
        ticketId: row.ticket_id,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: Math.min(row.expires_at, row.last_seen_at + idleMs),
        absoluteAt: row.expires_at,
        fields: row.fields ? (JSON.parse(row.fields) as Record<string, unknown>) : null,
        otp:
          row.otp_mode && row.otp_verified_at !== null
            ? {
                mode: row.otp_mode,
                verifiedAt: Number(row.otp_verified_at),
                alternateEmail: row.otp_mode === "alternate_email" ? row.otp_destination : null,
              }
            : null,
        context: row.context ? (JSON.parse(row.context) as Record<string, unknown>) : null,
        partnerDataSealed: row.partner_data_sealed,
      },
    };
    this.#cache.set(id, entry);
    return entry;
  }

  /** The partner data as the app may see it: never the auth token unless the app is allowed. */
  partnerData(session: LiveSession, withAuthToken: boolean): Record<string, unknown> | null {
    if (!session.partnerDataSealed) return null;
    const data = JSON.parse(
      this.sealer.open(session.partnerDataSealed, `ticket:${session.ticketId}`),
    ) as Record<string, unknown>;
    if (!withAuthToken) delete data.auth_token;
    return data;
  }

  /**
   * Whether a live session opens `app`: it was made for it, or for another app of the same
   * sign-in group (one partner's session, shared by the group's apps).
   */
  async opens(session: LiveSession, app: Pick<App, "id" | "signInGroup">): Promise<boolean> {
    if (session.appId === app.id) return true;
    if (app.signInGroup === null) return false;
    const made = await this.apps.find(session.appId);
    return made?.signInGroup === app.signInGroup;
  }

  /** Ends the session a cookie stands for (logout), with its audit entry; true when one was live. */
  async end(token: string | undefined, reason: string, ip: string | null): Promise<boolean> {
    if (!parseSecret(SecretPrefix.session, token)) return false;
    return this.storage.write(async (trx, changed) => {
      const ended = await this.endWithin(trx, token, reason, changed);
      if (!ended) return false;
      await this.audit.record(trx, {
        at: this.clock.now(),
        actor: "browser",
        action: "session.end",
        partnerId: ended.partnerId,
        subject: ended.id,
        ip,
        outcome: reason,
      });
      return true;
    });
  }

  /** Ends a live session inside a transaction (logout, or a new redemption replacing it). */
  async endWithin(
    trx: Tx,
    token: string | undefined,
    reason: string,
    changed: (change: { topic: "session"; key: string }) => void,
  ): Promise<{ id: string; partnerId: string } | null> {
    const parsed = parseSecret(SecretPrefix.session, token);
    if (!parsed) return null;
    const row = await this.store.findForEnd(trx, parsed.id);
    if (!row || row.ended_at !== null || !secretMatches(parsed.secret, row.secret_hash))
      return null;
    // Two logouts at once both read the row live; only the one whose UPDATE ends it goes on
    // (the other's waits for the first's lock and then matches nothing), so one audit entry
    // and one session.ended event.
    const now = this.clock.now();
    if (!(await this.store.end(trx, parsed.id, now, reason))) return null;
    await this.ended(trx, [parsed.id], now);
    changed({ topic: "session", key: parsed.id });
    return { id: parsed.id, partnerId: row.partner_id };
  }

  /** How many of a user's sessions are live (not ended, within their absolute limit). */
  liveCount(userId: string): Promise<number> {
    return this.store.countLive(userId, this.clock.now());
  }

  /** Ends every live session of a user; returns how many. */
  async endForUser(
    userId: string,
    partnerId: string,
    ip: string | null,
    actor = partnerId,
  ): Promise<number> {
    const now = this.clock.now();
    return this.storage.write(async (trx, changed) => {
      const ids = await this.store.endForUser(trx, userId, now);
      await this.ended(trx, ids, now);
      const n = ids.length;
      changed({ topic: "sessions" });
      await this.audit.record(trx, {
        at: now,
        actor,
        action: "user.sessions.revoke",
        partnerId,
        subject: userId,
        ip,
        outcome: "ok",
        detail: { sessions: n },
      });
      return n;
    });
  }

  /** Drops what a change names: one session, or all of them (src/db/changes.ts). */
  forget(id?: string): void {
    if (id === undefined) this.#cache.clear();
    else this.#cache.delete(id);
  }
}
