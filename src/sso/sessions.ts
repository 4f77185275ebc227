// Sessions: what a redeemed ticket leaves in the browser. The cookie holds an `hss_` secret; the
// row holds its hash, the user, the app and the limits. Checked on every forward-auth request,
// so the check is a cache hit, a hash compare and a few comparisons; the database sees at most
// one idle-time write per session per minute.
import type { Kysely, Transaction } from "kysely";
import type { AppService } from "../apps/service.js";
import { audit } from "../audit/log.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { type MintedSecret, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import type { Tables } from "../db/schema.js";

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
  otp: string;
  context: Record<string, unknown> | null;
  partnerDataSealed: string | null;
}

interface Cached {
  view: LiveSession;
  secretHash: string;
  absoluteAt: number;
  idleMs: number;
  endedAt: number | null;
  until: number;
}

type Db = Kysely<Tables> | Transaction<Tables>;

export interface NewSession {
  userId: string;
  partnerId: string;
  accountId: string;
  appId: string;
  ticketId: string;
  absoluteSeconds: number;
}

/** Every redemption runs this insert: compiled once per dialect (src/db/prepared.ts). */
const insertSession = new PreparedQuery<
  unknown,
  | "id"
  | "secret_hash"
  | "user_id"
  | "partner_id"
  | "account_id"
  | "app_id"
  | "ticket_id"
  | "created_at"
  | "expires_at"
>((db, p) =>
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
  }),
);

export class SessionService {
  readonly #cache = new Map<string, Cached>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly apps: AppService,
    private readonly auth: AuthService,
    private readonly sealer: Sealer,
    private readonly cacheMs: number,
  ) {}

  /** Inserts a session inside the redemption's transaction; returns the cookie value. */
  async create(
    db: Db,
    secret: MintedSecret,
    input: NewSession,
  ): Promise<{ id: string; token: string }> {
    const now = this.clock.now();
    await insertSession.execute(db, {
      id: secret.id,
      secret_hash: secret.hash,
      user_id: input.userId,
      partner_id: input.partnerId,
      account_id: input.accountId,
      app_id: input.appId,
      ticket_id: input.ticketId,
      created_at: now,
      expires_at: now + input.absoluteSeconds * 1000,
    });
    return { id: secret.id, token: secret.token };
  }

  /** The live session a cookie value stands for, or null. Never throws for a bad cookie. */
  async check(token: string | undefined): Promise<LiveSession | null> {
    const parsed = parseSecret(SecretPrefix.session, token);
    if (!parsed) return null;
    const now = this.clock.now();
    let entry = this.#cache.get(parsed.id);
    if (!entry || entry.until <= now) {
      const loaded = await this.#load(parsed.id, now);
      if (!loaded) {
        this.#cache.delete(parsed.id);
        return null;
      }
      entry = loaded;
    }
    if (!secretMatches(parsed.secret, entry.secretHash)) return null;
    if (entry.endedAt !== null || now >= entry.absoluteAt) return null;
    if (now >= entry.view.lastSeenAt + entry.idleMs) {
      // Another node may have seen the session more recently: ask the database before refusing.
      const fresh = await this.#load(parsed.id, now);
      if (!fresh || fresh.endedAt !== null || now >= fresh.view.lastSeenAt + fresh.idleMs)
        return null;
      entry = fresh;
    }
    if (!(await this.auth.standing(entry.view.partnerId, entry.view.accountId))) return null;
    if (now - entry.view.lastSeenAt >= Math.min(TOUCH_EVERY_MS, entry.idleMs / 4)) {
      await this.database.db
        .updateTable("sessions")
        .set({ last_seen_at: now })
        .where("id", "=", parsed.id)
        .where("ended_at", "is", null)
        .execute();
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
    let entry = this.#cache.get(id);
    if (!entry || entry.until <= now) entry = (await this.#load(id, now)) ?? undefined;
    if (!entry || entry.endedAt !== null || now >= entry.absoluteAt) return null;
    if (!(await this.auth.standing(entry.view.partnerId, entry.view.accountId))) return null;
    return entry.view;
  }

  async #load(id: string, now: number): Promise<Cached | null> {
    const row = await this.database.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .innerJoin("tickets as t", "t.id", "s.ticket_id")
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
        "t.otp",
        "t.context",
        "t.partner_data_sealed",
      ])
      .where("s.id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    const app = await this.apps.find(row.app_id);
    if (!app) return null;
    const idleMs = app.sessionIdleSeconds * 1000;
    const entry: Cached = {
      secretHash: row.secret_hash,
      absoluteAt: row.expires_at,
      idleMs,
      endedAt: row.ended_at,
      until: now + this.cacheMs,
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
        otp: row.otp,
        context: row.context ? (JSON.parse(row.context) as Record<string, unknown>) : null,
        partnerDataSealed: row.partner_data_sealed,
      },
    };
    if (this.#cache.size >= CACHE_SIZE) this.#cache.clear();
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

  /** Ends the session a cookie stands for (logout), with its audit entry; true when one was live. */
  async end(token: string | undefined, reason: string, ip: string | null): Promise<boolean> {
    if (!parseSecret(SecretPrefix.session, token)) return false;
    return this.database.write(async (trx) => {
      const ended = await this.endWithin(trx, token, reason);
      if (!ended) return false;
      await audit(trx, {
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
    db: Db,
    token: string | undefined,
    reason: string,
  ): Promise<{ id: string; partnerId: string } | null> {
    const parsed = parseSecret(SecretPrefix.session, token);
    if (!parsed) return null;
    const row = await db
      .selectFrom("sessions")
      .select(["secret_hash", "partner_id", "ended_at"])
      .where("id", "=", parsed.id)
      .executeTakeFirst();
    if (!row || row.ended_at !== null || !secretMatches(parsed.secret, row.secret_hash))
      return null;
    await db
      .updateTable("sessions")
      .set({ ended_at: this.clock.now(), end_reason: reason })
      .where("id", "=", parsed.id)
      .where("ended_at", "is", null)
      .execute();
    this.#cache.delete(parsed.id);
    return { id: parsed.id, partnerId: row.partner_id };
  }

  /** Ends every live session of a user; returns how many. */
  async endForUser(userId: string, actor: string, ip: string | null): Promise<number> {
    const now = this.clock.now();
    const count = await this.database.write(async (trx) => {
      const result = await trx
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: "revoked" })
        .where("user_id", "=", userId)
        .where("ended_at", "is", null)
        .executeTakeFirst();
      const n = Number(result.numUpdatedRows);
      await audit(trx, {
        at: now,
        actor,
        action: "user.sessions.revoke",
        partnerId: actor,
        subject: userId,
        ip,
        outcome: "ok",
        detail: { sessions: n },
      });
      return n;
    });
    this.forget();
    return count;
  }

  /** Drops every cached session (after a bulk change). */
  forget(): void {
    this.#cache.clear();
  }
}
