// Partner users: people at a partner who log in with a login (email or mobile number) and a
// password (seed 000's password grant). Argon2id hashes; three wrong passwords in a row lock the
// user until an operator unlocks it or the lock time passes.
import type { Clock } from "../clock.js";
import type { Passwords } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
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

export type PasswordCheck =
  | { ok: true; partnerUserId: string }
  | { ok: false; reason: "invalid" | "locked"; lockedUntil?: number };

export class PartnerUserService {
  constructor(
    private readonly storage: Storage,
    private readonly store: PartnerStore,
    private readonly clock: Clock,
    private readonly passwords: Passwords,
    private readonly lockSeconds: number,
  ) {}

  async create(
    partnerId: string,
    login: string,
    password: string,
  ): Promise<{ id: string; login: string }> {
    const canonical = canonicalLogin(login);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(canonical) && !/^[0-9]{6,15}$/.test(canonical)) {
      throw new HandoffError("invalid_request", "login must be an email or a mobile number");
    }
    if (password.length < 12 || password.length > 1024) {
      throw new HandoffError("invalid_request", "password must be 12 to 1024 characters");
    }
    const now = this.clock.now();
    const id = newId("pus");
    const passwordHash = await this.passwords.hash(password);
    // One conditional insert: of two concurrent creations one wins, the other is told.
    const created = await this.storage.write((trx) =>
      this.store.insertPartnerUser(trx, {
        id,
        partner_id: partnerId,
        login: canonical,
        password_hash: passwordHash,
        failed_attempts: 0,
        locked_until: null,
        created_at: now,
        updated_at: now,
      }),
    );
    if (!created) throw new HandoffError("user_exists", `partner user ${canonical} already exists`);
    return { id, login: canonical };
  }

  list(partnerId: string) {
    return this.store.listPartnerUsers(partnerId);
  }

  /** The operator's unlock: clears the lock and the count of wrong passwords. */
  async unlock(partnerId: string, login: string): Promise<void> {
    const where = { partnerId, login: canonicalLogin(login) };
    const now = this.clock.now();
    const found = await this.storage.write((trx) => this.store.unlockPartnerUser(trx, where, now));
    if (!found) throw new HandoffError("not_found", "no such partner user");
  }

  /**
   * Checks a login and password. An unknown login costs the same as a wrong password and
   * answers the same. A locked user is refused even with the right password.
   */
  async check(partnerId: string, login: string, password: string): Promise<PasswordCheck> {
    const row = await this.store.findPartnerUser(partnerId, canonicalLogin(login));
    if (!row) {
      await this.passwords.verifyNothing(password);
      return { ok: false, reason: "invalid" };
    }
    const now = this.clock.now();
    if (row.locked_until !== null && row.locked_until > now) {
      // Same cost as any other answer, so timing does not tell a lock from a wrong password.
      await this.passwords.verify(row.password_hash, password);
      return { ok: false, reason: "locked", lockedUntil: row.locked_until };
    }
    if (await this.passwords.verify(row.password_hash, password)) {
      if (row.failed_attempts !== 0 || row.locked_until !== null) {
        await this.storage.write((trx) => this.store.unlockPartnerUser(trx, { id: row.id }, now));
      }
      return { ok: true, partnerUserId: row.id };
    }
    const lockedUntil = await this.storage.write((trx) =>
      this.store.countFailedPassword(
        trx,
        row.id,
        MAX_FAILED_PASSWORDS,
        now,
        now + this.lockSeconds * 1000,
      ),
    );
    if (lockedUntil !== null) return { ok: false, reason: "locked", lockedUntil };
    return { ok: false, reason: "invalid" };
  }
}
