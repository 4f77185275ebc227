// The users table: the just-in-time upsert every mint runs, and the lookups and changes of the
// user API. The only file with users' SQL.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import type { UserTable } from "../db/schema.js";

export type UserRow = Selectable<UserTable>;

/** The attributes a mint may carry. */
export const USER_COLUMNS = [
  "email",
  "email_canonical",
  "phone_number",
  "phone_country_code",
  "name",
  "given_name",
  "family_name",
] as const;
export type UserColumn = (typeof USER_COLUMNS)[number];

/** A user's attributes as columns; absent ones are not given (so not changed). */
export type UserColumns = Partial<Pick<UserRow, UserColumn>>;

const selectUser = new PreparedQuery<UserRow, "partner_id" | "external_id">((db, p) =>
  db
    .selectFrom("users")
    .selectAll()
    .where("partner_id", "=", p("partner_id"))
    .where("external_id", "=", p("external_id")),
);

export class UserStore {
  /** The upsert for each set of given attributes, compiled once per set. */
  readonly #upserts = new Map<string, PreparedQuery<UserRow, string>>();

  constructor(private readonly storage: Storage) {}

  /** The user with this external id in this account, read inside a write. */
  async findByExternalId(trx: Tx, accountId: string, externalId: string) {
    const { rows } = await selectUser.execute(trx, {
      partner_id: accountId,
      external_id: externalId,
    });
    return rows[0];
  }

  /**
   * Inserts the user, or updates exactly the given attributes when one of them really changed;
   * one row however many mints race (INSERT … ON CONFLICT on the (partner, external id) key).
   * Answers the row as stored.
   */
  async upsert(
    trx: Tx,
    user: { id: string; accountId: string; externalId: string; now: number },
    attributes: UserColumns,
  ): Promise<UserRow> {
    const given = USER_COLUMNS.filter((c) => attributes[c] !== undefined);
    const values: Record<string, unknown> = {
      id: user.id,
      partner_id: user.accountId,
      external_id: user.externalId,
      now: user.now,
    };
    for (const column of USER_COLUMNS) values[column] = attributes[column] ?? null;
    const inserted = (await this.#upsertFor(given).execute(trx, values)).rows[0];
    const row = inserted ?? (await this.findByExternalId(trx, user.accountId, user.externalId));
    if (!row) throw new Error("user vanished between upsert and read");
    return row;
  }

  /** Inserts a user that must not exist yet: undefined when (account, external id) is taken. */
  async insertNew(trx: Tx, row: UserRow): Promise<UserRow | undefined> {
    return trx
      .insertInto("users")
      .values(row)
      .onConflict((oc) => oc.columns(["partner_id", "external_id"]).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  find(id: string): Promise<UserRow | undefined> {
    return this.storage.read
      .selectFrom("users")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** Changes a user's columns; the unique (account, external id) key refuses a taken username. */
  async update(trx: Tx, id: string, set: Partial<UserRow>): Promise<void> {
    await trx.updateTable("users").set(set).where("id", "=", id).execute();
  }

  /** The ids of the live sessions of a user of this account. */
  async liveSessions(trx: Tx, accountId: string, id: string): Promise<string[]> {
    const rows = await trx
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", id)
      .where("account_id", "=", accountId)
      .where("ended_at", "is", null)
      .execute();
    return rows.map((row) => row.id);
  }

  /** Deletes a user of this account; its tickets and sessions go with it (foreign keys cascade). */
  async remove(trx: Tx, accountId: string, id: string): Promise<boolean> {
    const result = await trx
      .deleteFrom("users")
      .where("id", "=", id)
      .where("partner_id", "=", accountId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  #upsertFor(given: UserColumn[]): PreparedQuery<UserRow, string> {
    const key = given.join(",");
    let query = this.#upserts.get(key);
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
                      given.map((c) =>
                        eb(`users.${c}`, "is distinct from", eb.ref(`excluded.${c}`)),
                      ),
                    ),
                  ),
          )
          .returningAll(),
      );
      this.#upserts.set(key, query);
    }
    return query;
  }
}
