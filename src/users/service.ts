// Users: keyed by (partner, external id), created just in time on the first mint, their
// attributes refreshed by every mint that carries them. A partner never reaches another's users.
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Clock } from "../clock.js";
import { newId } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import type { Tables, UserTable } from "../db/schema.js";
import { HandoffError } from "../http/errors.js";

export type UserRow = Selectable<UserTable>;
type Db = Kysely<Tables> | Transaction<Tables>;

export interface UserAttributes {
  /** The partner's own id for the user. */
  id: string;
  email?: string | undefined;
  phone?: { number: string; country_code: string } | undefined;
  name?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
}

/**
 * How emails are compared: Unicode NFC, then ASCII letters lower-cased. Deliberately not NFKC
 * and not full Unicode case folding, which would merge look-alikes (the Kelvin sign K with k,
 * fullwidth letters with ASCII) into one account.
 */
export function canonicalEmail(email: string): string {
  return email.normalize("NFC").replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * A plausible email: one ASCII @, something on each side, no spaces or controls, and no code
 * point that Unicode normalisation would silently turn into another (the Kelvin sign K becomes
 * K, the Ohm sign Ω becomes Ω): such an address is refused rather than merged with the other.
 */
export function checkEmail(email: string): string {
  const value = email.trim();
  for (const c of value) {
    if (c.normalize("NFC") !== c) {
      throw new HandoffError(
        "invalid_request",
        "user.email holds a look-alike character (such as the Kelvin sign) that is not accepted",
      );
    }
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  const ok = /^[^@\s\u0000-\u001f\u007f]+@[^@\s\u0000-\u001f\u007f]+\.[^@\s\u0000-\u001f\u007f]+$/u;
  if (value.length > 254 || !ok.test(value)) {
    throw new HandoffError("invalid_request", "user.email is not a valid email address");
  }
  return value;
}

export class UserService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the user or refreshes the attributes given; one row however many mints race
   * (INSERT … ON CONFLICT on the (partner, external id) key).
   */
  async upsert(db: Db, accountId: string, user: UserAttributes): Promise<UserRow> {
    const now = this.clock.now();
    const email = user.email === undefined ? undefined : checkEmail(user.email);
    const changes: Partial<UserRow> = { updated_at: now };
    if (email !== undefined) {
      changes.email = email;
      changes.email_canonical = canonicalEmail(email);
    }
    if (user.phone) {
      changes.phone_number = user.phone.number;
      changes.phone_country_code = user.phone.country_code;
    }
    if (user.name !== undefined) changes.name = user.name;
    if (user.givenName !== undefined) changes.given_name = user.givenName;
    if (user.familyName !== undefined) changes.family_name = user.familyName;
    const given = (Object.keys(changes) as (keyof UserRow)[]).filter((k) => k !== "updated_at");
    const inserted = await db
      .insertInto("users")
      .values({
        id: newId("usr"),
        partner_id: accountId,
        external_id: user.id,
        email: changes.email ?? null,
        email_canonical: changes.email_canonical ?? null,
        phone_number: changes.phone_number ?? null,
        phone_country_code: changes.phone_country_code ?? null,
        name: changes.name ?? null,
        given_name: changes.given_name ?? null,
        family_name: changes.family_name ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        given.length === 0
          ? oc.columns(["partner_id", "external_id"]).doNothing()
          : oc
              .columns(["partner_id", "external_id"])
              .doUpdateSet(changes)
              // Only write when an attribute really changed: a repeat mint reads, not writes.
              .where((eb) =>
                eb.or(
                  given.map((k) => eb(`users.${k}`, "is distinct from", eb.ref(`excluded.${k}`))),
                ),
              ),
      )
      .returningAll()
      .executeTakeFirst();
    const row =
      inserted ??
      (await db
        .selectFrom("users")
        .selectAll()
        .where("partner_id", "=", accountId)
        .where("external_id", "=", user.id)
        .executeTakeFirstOrThrow());
    return row;
  }

  /** A user the partner may reach: its own, or a linked sub-account's. Else not_found. */
  async reachable(partnerId: string, userId: string): Promise<UserRow> {
    const row = await this.database.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", userId)
      .executeTakeFirst();
    if (row && row.partner_id === partnerId) return row;
    if (row) {
      const link = await this.database.db
        .selectFrom("partner_links")
        .select("child_id")
        .where("parent_id", "=", partnerId)
        .where("child_id", "=", row.partner_id)
        .executeTakeFirst();
      if (link) return row;
    }
    throw new HandoffError("not_found", `no user ${userId}`);
  }

  async get(userId: string): Promise<UserRow | undefined> {
    return this.database.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", userId)
      .executeTakeFirst();
  }

  /** Creates a user that must not exist yet (BlueSnap's create-user call); user_exists if it does. */
  async create(accountId: string, user: UserAttributes): Promise<UserRow> {
    const before = await this.database.db
      .selectFrom("users")
      .select("id")
      .where("partner_id", "=", accountId)
      .where("external_id", "=", user.id)
      .executeTakeFirst();
    if (before) throw new HandoffError("user_exists");
    const row = await this.database.write((trx) => this.upsert(trx, accountId, user));
    return row;
  }

  /** A user of exactly this account (the partner or the sub-account it acts for), else not_found. */
  async ofAccount(accountId: string, userId: string): Promise<UserRow> {
    const row = await this.database.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", userId)
      .where("partner_id", "=", accountId)
      .executeTakeFirst();
    if (!row) throw new HandoffError("not_found", `no user ${userId}`);
    return row;
  }

  /** Changes a user's attributes (and, for BlueSnap, its username: the external id). */
  async update(
    accountId: string,
    userId: string,
    changes: { [K in keyof Omit<UserAttributes, "phone">]?: string | undefined },
  ): Promise<UserRow> {
    const current = await this.ofAccount(accountId, userId);
    const set: Partial<UserRow> = { updated_at: this.clock.now() };
    if (changes.id !== undefined && changes.id !== current.external_id) {
      const taken = await this.database.db
        .selectFrom("users")
        .select("id")
        .where("partner_id", "=", accountId)
        .where("external_id", "=", changes.id)
        .executeTakeFirst();
      if (taken) throw new HandoffError("user_exists");
      set.external_id = changes.id;
    }
    if (changes.email !== undefined) {
      set.email = checkEmail(changes.email);
      set.email_canonical = canonicalEmail(set.email);
    }
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.givenName !== undefined) set.given_name = changes.givenName;
    if (changes.familyName !== undefined) set.family_name = changes.familyName;
    await this.database.db.updateTable("users").set(set).where("id", "=", userId).execute();
    return { ...current, ...set };
  }

  /** Deletes a user; its tickets and sessions go with it (foreign keys cascade). */
  async remove(accountId: string, userId: string): Promise<void> {
    await this.ofAccount(accountId, userId);
    await this.database.db.deleteFrom("users").where("id", "=", userId).execute();
  }
}
