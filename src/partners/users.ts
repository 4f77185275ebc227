// Partner users: people at a partner who log in with a login (email or mobile number) and a
// password (seed 000's password grant). Argon2id hashes; three wrong passwords in a row lock the
// user until an operator unlocks it or the lock time passes.
import type { Clock } from "../clock.js";
import { hashPassword, verifyNothing, verifyPassword } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import { canonicalEmail } from "../users/service.js";

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
    private readonly database: Database,
    private readonly clock: Clock,
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
    const exists = await this.database.db
      .selectFrom("partner_users")
      .select("id")
      .where("partner_id", "=", partnerId)
      .where("login", "=", canonical)
      .executeTakeFirst();
    if (exists) throw new HandoffError("user_exists", `partner user ${canonical} already exists`);
    const now = this.clock.now();
    const id = newId("pus");
    await this.database.db
      .insertInto("partner_users")
      .values({
        id,
        partner_id: partnerId,
        login: canonical,
        password_hash: await hashPassword(password),
        failed_attempts: 0,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return { id, login: canonical };
  }

  async list(
    partnerId: string,
  ): Promise<
    { id: string; login: string; failed_attempts: number; locked_until: number | null }[]
  > {
    return this.database.db
      .selectFrom("partner_users")
      .select(["id", "login", "failed_attempts", "locked_until"])
      .where("partner_id", "=", partnerId)
      .orderBy("login")
      .execute();
  }

  /** The operator's unlock: clears the lock and the count of wrong passwords. */
  async unlock(partnerId: string, login: string): Promise<void> {
    const result = await this.database.db
      .updateTable("partner_users")
      .set({ failed_attempts: 0, locked_until: null, updated_at: this.clock.now() })
      .where("partner_id", "=", partnerId)
      .where("login", "=", canonicalLogin(login))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw new HandoffError("not_found", "no such partner user");
  }

  /**
   * Checks a login and password. An unknown login costs the same as a wrong password and
   * answers the same. A locked user is refused even with the right password.
   */
  async check(partnerId: string, login: string, password: string): Promise<PasswordCheck> {
    const row = await this.database.db
      .selectFrom("partner_users")
      .select(["id", "password_hash", "failed_attempts", "locked_until"])
      .where("partner_id", "=", partnerId)
      .where("login", "=", canonicalLogin(login))
      .executeTakeFirst();
    if (!row) {
      await verifyNothing(password);
      return { ok: false, reason: "invalid" };
    }
    const now = this.clock.now();
    if (row.locked_until !== null && row.locked_until > now) {
      // Same cost as any other answer, so timing does not tell a lock from a wrong password.
      await verifyPassword(row.password_hash, password);
      return { ok: false, reason: "locked", lockedUntil: row.locked_until };
    }
    if (await verifyPassword(row.password_hash, password)) {
      if (row.failed_attempts !== 0 || row.locked_until !== null) {
        await this.database.db
          .updateTable("partner_users")
          .set({ failed_attempts: 0, locked_until: null, updated_at: now })
          .where("id", "=", row.id)
          .execute();
      }
      return { ok: true, partnerUserId: row.id };
    }
    // Counted in the database (atomically), so the count holds across IPs, processes and nodes.
    const counted = await this.database.db
      .updateTable("partner_users")
      .set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1), updated_at: now }))
      .where("id", "=", row.id)
      .returning("failed_attempts")
      .executeTakeFirstOrThrow();
    if (counted.failed_attempts >= MAX_FAILED_PASSWORDS) {
      const until = now + this.lockSeconds * 1000;
      await this.database.db
        .updateTable("partner_users")
        .set({ locked_until: until, failed_attempts: 0 })
        .where("id", "=", row.id)
        .execute();
      return { ok: false, reason: "locked", lockedUntil: until };
    }
    return { ok: false, reason: "invalid" };
  }
}
