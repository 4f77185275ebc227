// Users: keyed by (partner, external id), created just in time on the first mint, their
// attributes refreshed by every mint that carries them. A partner never reaches another's users.
import type { Clock } from "../clock.js";
import { newId } from "../crypto/secrets.js";
import { isUniqueViolation, type Storage, type Tx } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import { USER_COLUMNS, type UserColumns, type UserRow, type UserStore } from "./store.js";

export type { UserRow } from "./store.js";

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

/** The attributes a mint or the user API gives, as columns (absent ones stay as they are). */
function columnsOf(user: Partial<UserAttributes>): UserColumns {
  const columns: UserColumns = {};
  if (user.email !== undefined) {
    columns.email = checkEmail(user.email);
    columns.email_canonical = canonicalEmail(columns.email);
  }
  if (user.phone) {
    columns.phone_number = user.phone.number;
    columns.phone_country_code = user.phone.country_code;
  }
  if (user.name !== undefined) columns.name = user.name;
  if (user.givenName !== undefined) columns.given_name = user.givenName;
  if (user.familyName !== undefined) columns.family_name = user.familyName;
  return columns;
}

export class UserService {
  constructor(
    private readonly storage: Storage,
    private readonly store: UserStore,
    private readonly clock: Clock,
    /** Whether a partner may act for an account (the partners domain's sub-account links). */
    private readonly isLinked: (parentId: string, childId: string) => Promise<boolean>,
    /** Told which sessions a deletion ends, in its transaction (OIDC back-channel logout). */
    private readonly sessionsEnded: (
      trx: Tx,
      ids: string[],
      now: number,
    ) => Promise<void> = async () => {},
  ) {}

  /**
   * Creates the user or refreshes the attributes given, inside the mint's transaction; one row
   * however many mints race. A user whose given attributes are already stored is only read.
   */
  async upsert(
    trx: Tx,
    accountId: string,
    user: UserAttributes,
    now = this.clock.now(),
  ): Promise<UserRow & { created: boolean }> {
    const columns = columnsOf(user);
    const given = USER_COLUMNS.filter((c) => columns[c] !== undefined);
    // Most mints are for a user seen before with the same attributes: one indexed read, no write.
    const known = await this.store.findByExternalId(trx, accountId, user.id);
    if (known && given.every((c) => known[c] === columns[c])) return { ...known, created: false };
    const id = newId("usr");
    const row = await this.store.upsert(trx, { id, accountId, externalId: user.id, now }, columns);
    // The new id came back: this call created the user (else a concurrent one did, or it existed).
    return { ...row, created: row.id === id };
  }

  /** A user the partner may reach: its own, or a linked sub-account's. Else not_found. */
  async reachable(partnerId: string, userId: string): Promise<UserRow> {
    const row = await this.store.find(userId);
    if (row && (row.partner_id === partnerId || (await this.isLinked(partnerId, row.partner_id))))
      return row;
    throw new HandoffError("not_found", `no user ${userId}`);
  }

  get(userId: string): Promise<UserRow | undefined> {
    return this.store.find(userId);
  }

  /**
   * Creates a user that must not exist yet (BlueSnap's create-user call): one conditional insert,
   * so of two concurrent creations exactly one gets the user and the other user_exists.
   */
  async create(accountId: string, user: UserAttributes): Promise<UserRow> {
    const now = this.clock.now();
    const row: UserRow = {
      id: newId("usr"),
      partner_id: accountId,
      external_id: user.id,
      email: null,
      email_canonical: null,
      phone_number: null,
      phone_country_code: null,
      name: null,
      given_name: null,
      family_name: null,
      created_at: now,
      updated_at: now,
      ...columnsOf(user),
    };
    const created = await this.storage.write((trx) => this.store.insertNew(trx, row));
    if (!created) throw new HandoffError("user_exists");
    return created;
  }

  /** A user of exactly this account (the partner or the sub-account it acts for), else not_found. */
  async ofAccount(accountId: string, userId: string): Promise<UserRow> {
    const row = await this.store.find(userId);
    if (!row || row.partner_id !== accountId)
      throw new HandoffError("not_found", `no user ${userId}`);
    return row;
  }

  /** Changes a user's attributes (and, for BlueSnap, its username: the external id). */
  async update(
    accountId: string,
    userId: string,
    changes: { [K in keyof Omit<UserAttributes, "phone">]?: string | undefined },
  ): Promise<UserRow> {
    const current = await this.ofAccount(accountId, userId);
    const { id: externalId, ...attributes } = changes;
    const set: Partial<UserRow> = { ...columnsOf(attributes), updated_at: this.clock.now() };
    if (externalId !== undefined && externalId !== current.external_id)
      set.external_id = externalId;
    try {
      await this.storage.write((trx) => this.store.update(trx, userId, set));
    } catch (error) {
      // Another user of the account holds that username (or took it a moment ago).
      if (isUniqueViolation(error)) throw new HandoffError("user_exists");
      throw error;
    }
    return { ...current, ...set };
  }

  /** Deletes a user; its tickets and sessions go with it (foreign keys cascade). */
  async remove(accountId: string, userId: string): Promise<void> {
    const removed = await this.storage.write(async (trx, changed) => {
      // Its live sessions end with it: what follows their end is written before the rows go.
      const live = await this.store.liveSessions(trx, accountId, userId);
      await this.sessionsEnded(trx, live, this.clock.now());
      const gone = await this.store.remove(trx, accountId, userId);
      if (gone) changed({ topic: "sessions" });
      return gone;
    });
    if (!removed) throw new HandoffError("not_found", `no user ${userId}`);
  }
}
