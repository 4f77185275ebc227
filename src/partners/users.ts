// Partner users: people at a partner who log in with a login (email or mobile number) and a
// password (seed 000's password grant). Argon2id hashes; three wrong passwords in a row lock the
// user until an operator unlocks it or the lock time passes.
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import type { Passwords } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import type { PartnerUserRole } from "../db/schema.js";
import { HandoffError } from "../http/errors.js";
import { canonicalEmail } from "../users/service.js";
import type { PartnerStore } from "./store.js";

/** "The vendor locks after three." */
export const MAX_FAILED_PASSWORDS = 3;

/** An email in canonical form, or a mobile number's digits (spaces, dashes, a leading + dropped). */
export function canonicalLogin(login: string): string {
  const value = login.trim();
  if (value.includes("@")) return canonicalEmail(value);
  return value.replace(/[\s\-()]/g, "").replace(/^\+/, "");
}

/** The password rule for every person who signs in (partner users and operators). */
export function checkPassword(password: string): void {
  if (password.length < 12 || password.length > 1024) {
    throw new HandoffError("invalid_request", "password must be 12 to 1024 characters");
  }
}

export type PasswordCheck =
  | { ok: true; id: string }
  | { ok: false; reason: "invalid" | "locked"; lockedUntil?: number };

/**
 * The password check every person who signs in shares (partner users, operators): an unknown
 * login costs the same as a wrong password and answers the same; a locked account is refused
 * even with the right password, at the same cost; a right password clears the count, a wrong one
 * counts (`fail` answers the lock when that one locked it).
 */
export async function checkWithLockout(
  passwords: Passwords,
  row:
    | { id: string; password_hash: string; failed_attempts: number; locked_until: number | null }
    | undefined,
  password: string,
  now: number,
  on: { clear(id: string): Promise<unknown>; fail(id: string): Promise<number | null> },
): Promise<PasswordCheck> {
  if (!row) {
    await passwords.verifyNothing(password);
    return { ok: false, reason: "invalid" };
  }
  if (row.locked_until !== null && row.locked_until > now) {
    await passwords.verify(row.password_hash, password);
    return { ok: false, reason: "locked", lockedUntil: row.locked_until };
  }
  if (await passwords.verify(row.password_hash, password)) {
    if (row.failed_attempts !== 0 || row.locked_until !== null) await on.clear(row.id);
    return { ok: true, id: row.id };
  }
  const lockedUntil = await on.fail(row.id);
  if (lockedUntil !== null) return { ok: false, reason: "locked", lockedUntil };
  return { ok: false, reason: "invalid" };
}

export class PartnerUserService {
  constructor(
    private readonly storage: Storage,
    private readonly store: PartnerStore,
    private readonly clock: Clock,
    private readonly passwords: Passwords,
    private readonly lockSeconds: number,
    private readonly audit: AuditLog,
  ) {}

  async create(
    partnerId: string,
    login: string,
    password: string,
    options: { role?: PartnerUserRole; by?: Actor } = {},
  ): Promise<{ id: string; login: string; role: PartnerUserRole }> {
    const canonical = canonicalLogin(login);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(canonical) && !/^[0-9]{6,15}$/.test(canonical)) {
      throw new HandoffError("invalid_request", "login must be an email or a mobile number");
    }
    checkPassword(password);
    const role = options.role ?? "admin";
    const now = this.clock.now();
    const id = newId("pus");
    const passwordHash = await this.passwords.hash(password);
    // One conditional insert: of two concurrent creations one wins, the other is told.
    const created = await this.storage.write(async (trx) => {
      const inserted = await this.store.insertPartnerUser(trx, {
        id,
        partner_id: partnerId,
        login: canonical,
        password_hash: passwordHash,
        failed_attempts: 0,
        locked_until: null,
        created_at: now,
        updated_at: now,
        role,
      });
      if (inserted) {
        await this.audit.record(
          trx,
          changeEntry(options.by ?? CLI, now, "partner_user.create", partnerId, id, { role }),
        );
      }
      return inserted;
    });
    if (!created) throw new HandoffError("user_exists", `partner user ${canonical} already exists`);
    return { id, login: canonical, role };
  }

  /** A partner user by id, for the console (no password hash); undefined when there is none. */
  byId(id: string) {
    return this.store.partnerUserById(id);
  }

  /**
   * Sets a new password for one of the partner's users; it ends their console sessions and
   * refresh tokens, and clears any lock.
   */
  async resetPassword(
    partnerId: string,
    id: string,
    password: string,
    by: Actor = CLI,
  ): Promise<void> {
    checkPassword(password);
    const passwordHash = await this.passwords.hash(password);
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      if (!(await this.store.setPartnerUserPassword(trx, partnerId, id, passwordHash, now))) {
        throw new HandoffError("not_found", "no such partner user");
      }
      await this.audit.record(trx, changeEntry(by, now, "partner_user.password", partnerId, id));
    });
  }

  list(partnerId: string) {
    return this.store.listPartnerUsers(partnerId);
  }

  /** The operator's unlock: clears the lock and the count of wrong passwords. */
  async unlock(
    partnerId: string,
    who: { login: string } | { id: string },
    by: Actor = CLI,
  ): Promise<void> {
    const where =
      "id" in who ? { partnerId, id: who.id } : { partnerId, login: canonicalLogin(who.login) };
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      const id = await this.store.unlockPartnerUser(trx, where, now);
      if (!id) throw new HandoffError("not_found", "no such partner user");
      await this.audit.record(trx, changeEntry(by, now, "partner_user.unlock", partnerId, id));
    });
  }

  /**
   * Checks a login and password. An unknown login costs the same as a wrong password and
   * answers the same. A locked user is refused even with the right password.
   */
  async check(partnerId: string, login: string, password: string): Promise<PasswordCheck> {
    const row = await this.store.findPartnerUser(partnerId, canonicalLogin(login));
    const now = this.clock.now();
    return checkWithLockout(this.passwords, row, password, now, {
      clear: (id) => this.storage.write((trx) => this.store.unlockPartnerUser(trx, { id }, now)),
      fail: (id) =>
        this.storage.write((trx) =>
          this.store.countFailedPassword(
            trx,
            id,
            MAX_FAILED_PASSWORDS,
            now,
            now + this.lockSeconds * 1000,
          ),
        ),
    });
  }
}
