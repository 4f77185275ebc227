// Operators: the platform's team, with an email and an Argon2id password (the demo creates one).
import type { Clock } from "../clock.js";
import type { Passwords } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import type { OperatorStore } from "./store.js";

export class OperatorService {
  constructor(
    private readonly storage: Storage,
    private readonly store: OperatorStore,
    private readonly clock: Clock,
    private readonly passwords: Passwords,
  ) {}

  async create(email: string, password: string): Promise<{ id: string; email: string }> {
    const canonical = email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(canonical))
      throw new HandoffError("invalid_request", "email is not an address");
    if (password.length < 12 || password.length > 1024) {
      throw new HandoffError("invalid_request", "password must be 12 to 1024 characters");
    }
    const row = {
      id: newId("opr"),
      email: canonical,
      password_hash: await this.passwords.hash(password),
      created_at: this.clock.now(),
    };
    const created = await this.storage.write((trx) => this.store.insert(trx, row));
    if (!created) throw new HandoffError("user_exists", `operator ${canonical} already exists`);
    return { id: row.id, email: canonical };
  }

  count(): Promise<number> {
    return this.store.count();
  }
}
