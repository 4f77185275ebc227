// Users: keyed by (partner, external id), created just in time on the first mint, their
// attributes refreshed by every mint that carries them. A partner never reaches another's users.
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Clock } from "../clock.js";
import { newId } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
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

/** The attributes a mint may carry. */
const USER_COLUMNS = [
  "email",
  "email_canonical",
  "phone_number",
  "phone_country_code",
  "name",
  "given_name",
  "family_name",
] as const;
type UserColumn = (typeof USER_COLUMNS)[number];

/**
 * The just-in-time upsert for one set of given attributes, compiled once per set: insert the
 * user, or update exactly those attributes, and only when one of them really changed.
 */
const upserts = new Map<string, PreparedQuery<UserRow, string>>();
function upsertFor(given: UserColumn[]): PreparedQuery<UserRow, string> {
  const key = given.join(",");
  let query = upserts.get(key);
  if (!query) {
    query = new PreparedQuery<UserRow, string>((db, p) =>
      db
        .insertInto("users")
        .values({
          id: p("id"),
          partner_id: p("partner_id"),
          external_id: p("external_id"),
          ...Object.fromEntries(USER_COLUMNS.map((c) => [c, p(c)])),
          created_at: p<number>("now"),
          updated_at: p<number>("now"),
        })
        .onConflict((oc) =>
          given.length === 0
            ? oc.columns(["partner_id", "external_id"]).doNothing()
            : oc
                .columns(["partner_id", "external_id"])
                .doUpdateSet({
                  ...Object.fromEntries(given.map((c) => [c, p(c)])),
                  updated_at: p<number>("now"),
                })
                // Only write when an attribute really changed: a repeat mint reads, not writes.
                .where((eb) =>
                  eb.or(
                    given.map((c) => eb(`users.${c}`, "is distinct from", eb.ref(`excluded.${c}`))),
                  ),
                ),
        )
        .returningAll(),
    );
    upserts.set(key, query);
  }
  return query;
}

const selectUser = new PreparedQuery<UserRow, "partner_id" | "external_id">((db, p) =>
  db
    .selectFrom("users")
    .selectAll()
    .where("partner_id", "=", p("partner_id"))
    .where("external_id", "=", p("external_id")),
);

export class UserService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the user or refreshes the attributes given; one row however many mints race
   * (INSERT … ON CONFLICT on the (partner, external id) key). A user whose given attributes
   * are already stored is only read.
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
    const given = USER_COLUMNS.filter((c) => changes[c] !== undefined);
    // Most mints are for a user seen before with the same attributes: one indexed read, no write.
    const [known] = (await selectUser.execute(db, { partner_id: accountId, external_id: user.id }))
      .rows;
    if (known && given.every((c) => known[c] === changes[c])) return known;
    const values: Record<string, unknown> = {
      id: newId("usr"),
      partner_id: accountId,
      external_id: user.id,
      now,
    };
    for (const column of USER_COLUMNS) values[column] = changes[column] ?? null;
    const inserted = (await upsertFor(given).execute(db, values)).rows[0];
    const row =
      inserted ??
      (await selectUser.execute(db, { partner_id: accountId, external_id: user.id })).rows[0];
    if (!row) throw new Error("user vanished between upsert and read");
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
