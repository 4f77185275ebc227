// Signing in to the console: operators by email, partner users by their partner's id and login,
// each with a password and the partner users' lockout. A console session is a `hcs_` secret in a
// cookie, separate from SSO sessions, with an idle and an absolute limit; every check reads its
// row (no cache), so a sign-out or a password reset counts on the next request, on every node.
import { hash, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../clock.js";
import { mintSecret, parseSecret, SecretPrefix, secretMatches } from "../../crypto/secrets.js";
import type { Storage } from "../../db/database.js";
import type { PartnerUserRole } from "../../db/schema.js";
import { HandoffError } from "../../http/errors.js";
import type { OperatorService } from "../../operators/service.js";
import type { PartnerService } from "../../partners/service.js";
import type { PartnerUserService, PasswordCheck } from "../../partners/users.js";
import type { ConsoleSessionStore } from "./store.js";
import type { ConsoleTotp } from "./totp.js";

/** Who is signed in to the console. */
export type Viewer =
  | { kind: "operator"; id: string; name: string; role: "operator" }
  | {
      kind: "partner_user";
      id: string;
      name: string;
      role: PartnerUserRole;
      partnerId: string;
    };

export interface ConsoleSession {
  id: string;
  viewer: Viewer;
  /**
   * What the session still owes before it opens the console: the TOTP code ("totp"), or, for an
   * operator where HANDOFF_CONSOLE_REQUIRE_2FA is on, an enrolment ("enrol").
   */
  pending: "totp" | "enrol" | null;
  /** The token every state change must carry (a header or a form field). */
  csrf: string;
}

/** Wrong TOTP codes a session may see before it ends. */
const MAX_TOTP_FAILURES = 5;

/** Touch the session's last-seen time at most this often (a write per minute, not per request). */
const TOUCH_MS = 60_000;

export interface SignIn {
  login: string;
  password: string;
  /** A partner user's partner; absent for an operator. */
  partnerId?: string | undefined;
}

/** The CSRF token of a console session: a hash of its secret, so only its holder can know it. */
function csrfFor(token: string): string {
  return hash("sha256", `handoff-console-csrf.${token}`, "base64url");
}

export class ConsoleAuth {
  constructor(
    private readonly storage: Storage,
    private readonly store: ConsoleSessionStore,
    private readonly clock: Clock,
    private readonly operators: OperatorService,
    private readonly partnerUsers: PartnerUserService,
    private readonly partners: PartnerService,
    readonly totp: ConsoleTotp,
    private readonly limits: {
      idleMinutes: number;
      sessionHours: number;
      requireOperator2fa: boolean;
    },
  ) {}

  /**
   * Checks the password and starts a new console session (a new secret every time, so a
   * cookie planted before sign-in is worth nothing after it). Throws invalid_credentials or
   * account_locked; the two cost the same time.
   */
  async signIn(input: SignIn): Promise<{ token: string; session: ConsoleSession }> {
    const partnerId = input.partnerId?.trim();
    const checked: PasswordCheck = partnerId
      ? await this.partnerUsers.check(partnerId, input.login, input.password)
      : await this.operators.check(input.login, input.password);
    if (!checked.ok) {
      if (checked.reason === "locked") {
        const seconds = Math.max(
          1,
          Math.ceil(((checked.lockedUntil ?? 0) - this.clock.now()) / 1000),
        );
        throw new HandoffError("account_locked", undefined, {
          headers: { "retry-after": String(seconds) },
        });
      }
      throw new HandoffError("invalid_credentials");
    }
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.consoleSession);
    const owesCode = await this.totp.enabled(checked.id);
    const row = {
      id: secret.id,
      secret_hash: secret.hash,
      operator_id: partnerId ? null : checked.id,
      partner_user_id: partnerId ? checked.id : null,
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.limits.sessionHours * 3600_000,
      ended_at: null,
      totp_pending: owesCode ? 1 : 0,
    };
    await this.storage.write((trx) => this.store.insert(trx, row));
    const viewer = await this.#viewer(row.operator_id, row.partner_user_id);
    if (!viewer) throw new HandoffError("invalid_credentials");
    const pending = owesCode ? "totp" : await this.#owed(viewer);
    return {
      token: secret.token,
      session: { id: row.id, viewer, pending, csrf: csrfFor(secret.token) },
    };
  }

  /** The live console session a cookie names, or null (missing, wrong, ended, idle or expired). */
  async check(token: string | undefined): Promise<ConsoleSession | null> {
    const parsed = parseSecret(SecretPrefix.consoleSession, token);
    if (!parsed || token === undefined) return null;
    const row = await this.store.find(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const now = this.clock.now();
    if (
      row.ended_at !== null ||
      now >= row.expires_at ||
      now >= row.last_seen_at + this.limits.idleMinutes * 60_000
    ) {
      return null;
    }
    const viewer = await this.#viewer(row.operator_id, row.partner_user_id);
    if (!viewer) return null;
    if (now - row.last_seen_at >= TOUCH_MS) {
      await this.storage.write((trx) => this.store.touch(trx, row.id, now));
    }
    const pending = row.totp_pending === 1 ? "totp" : await this.#owed(viewer);
    return { id: row.id, viewer, pending, csrf: csrfFor(token) };
  }

  /**
   * Takes the TOTP (or recovery) code a session owes. Five wrong codes end the session; the
   * person must sign in with the password again.
   */
  async giveCode(session: ConsoleSession, code: string): Promise<void> {
    if (session.pending !== "totp") {
      throw new HandoffError("invalid_request", "this session owes no code");
    }
    if (await this.totp.verify(session.viewer.id, code)) {
      await this.storage.write((trx) => this.store.clearPending(trx, session.id));
      return;
    }
    const failures = await this.storage.write((trx) =>
      this.store.countTotpFailure(trx, session.id),
    );
    if (failures >= MAX_TOTP_FAILURES) await this.signOut(session.id);
    throw new HandoffError("invalid_credentials", "that code is not right");
  }

  /** An operator who must have a second factor and has none owes an enrolment. */
  async #owed(viewer: Viewer): Promise<"enrol" | null> {
    if (!this.limits.requireOperator2fa || viewer.kind !== "operator") return null;
    return (await this.totp.enabled(viewer.id)) ? null : "enrol";
  }

  /** Whether `presented` is the session's CSRF token (constant time). */
  csrfMatches(session: ConsoleSession, presented: unknown): boolean {
    if (typeof presented !== "string") return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async signOut(sessionId: string): Promise<void> {
    const now = this.clock.now();
    await this.storage.write((trx) => this.store.end(trx, sessionId, now));
  }

  /** The person behind a session, or null when they are gone or their partner is suspended. */
  async #viewer(operatorId: string | null, partnerUserId: string | null): Promise<Viewer | null> {
    if (operatorId) {
      const operator = await this.operators.byId(operatorId);
      return operator
        ? { kind: "operator", id: operator.id, name: operator.email, role: "operator" }
        : null;
    }
    if (!partnerUserId) return null;
    const user = await this.partnerUsers.byId(partnerUserId);
    if (!user) return null;
    const partner = await this.partners.find(user.partner_id);
    if (partner?.status !== "active") return null;
    return {
      kind: "partner_user",
      id: user.id,
      name: user.login,
      role: user.role,
      partnerId: user.partner_id,
    };
  }
}
