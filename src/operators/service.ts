// Operators: the platform's team, with an email and an Argon2id password (the demo creates one).
// They sign in to the console with the same lockout as partner users: three wrong passwords in a
// row lock the operator for HANDOFF_PARTNER_USER_LOCK_SECONDS.
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import type { Passwords } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import {
  checkPassword,
  checkWithLockout,
  MAX_FAILED_PASSWORDS,
  type PasswordCheck,
} from "../partners/users.js";
import type { OperatorStore } from "./store.js";

export function canonicalOperatorEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class OperatorService {
  constructor(
    private readonly storage: Storage,
    private readonly store: OperatorStore,
    private readonly clock: Clock,
    private readonly passwords: Passwords,
    private readonly lockSeconds: number,
    private readonly audit: AuditLog,
  ) {}

  async create(
    email: string,
    password: string,
    by: Actor = CLI,
  ): Promise<{ id: string; email: string }> {
    const canonical = canonicalOperatorEmail(email);
    if (!/^[^@\s]+@[^@\s]+$/.test(canonical))
      throw new HandoffError("invalid_request", "email is not an address");
    checkPassword(password);
    const now = this.clock.now();
    const row = {
      id: newId("opr"),
      email: canonical,
      password_hash: await this.passwords.hash(password),
      created_at: now,
      locked_until: null,
    };
    const created = await this.storage.write(async (trx) => {
      const inserted = await this.store.insert(trx, row);
      if (inserted)
        await this.audit.record(trx, changeEntry(by, now, "operator.create", null, row.id));
      return inserted;
    });
    if (!created) throw new HandoffError("user_exists", `operator ${canonical} already exists`);
    return { id: row.id, email: canonical };
  }

  /**
   * Checks an operator's email and password. An unknown email costs the same as a wrong
   * password and answers the same; a locked operator is refused even with the right password.
   */
  async check(email: string, password: string): Promise<PasswordCheck> {
    const row = await this.store.findByEmail(canonicalOperatorEmail(email));
    const now = this.clock.now();
    const lockUntil = now + this.lockSeconds * 1000;
    return checkWithLockout(this.passwords, row, password, now, {
      clear: (id) => this.storage.write((trx) => this.store.clearFailures(trx, id)),
      fail: (id) =>
        this.storage.write((trx) =>
          this.store.countFailedPassword(trx, id, MAX_FAILED_PASSWORDS, lockUntil),
        ),
    });
  }

  async unlock(email: string, by: Actor = CLI): Promise<void> {
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      const id = await this.store.unlock(trx, canonicalOperatorEmail(email));
      if (!id) throw new HandoffError("not_found", "no such operator");
      await this.audit.record(trx, changeEntry(by, now, "operator.unlock", null, id));
    });
  }

  byId(id: string) {
    return this.store.byId(id);
  }

  list() {
    return this.store.list();
  }

  count(): Promise<number> {
    return this.store.count();
  }
}
