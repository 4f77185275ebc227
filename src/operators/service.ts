// Operators: the platform's team, who sign in to the dashboard with an email and a password.
import type { Clock } from "../clock.js";
import { hashPassword } from "../crypto/passwords.js";
import { newId } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import { HandoffError } from "../http/errors.js";

export class OperatorService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async create(email: string, password: string): Promise<{ id: string; email: string }> {
    const canonical = email.trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(canonical))
      throw new HandoffError("invalid_request", "email is not an address");
    if (password.length < 12 || password.length > 1024) {
      throw new HandoffError("invalid_request", "password must be 12 to 1024 characters");
    }
    const id = newId("opr");
    await this.database.db
      .insertInto("operators")
      .values({
        id,
        email: canonical,
        password_hash: await hashPassword(password),
        created_at: this.clock.now(),
      })
      .execute();
    return { id, email: canonical };
  }

  async count(): Promise<number> {
    const row = await this.database.db
      .selectFrom("operators")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
