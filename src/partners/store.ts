// The partners domain's tables: partners, sub-account links, partner tokens, API tokens, SSO keys
// and partner users. The only file with their SQL.
import { type ExpressionBuilder, type Insertable, type Selectable, sql } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import type { ApiTokenTable, PartnerTable, PartnerUserTable, Tables } from "../db/schema.js";

export type Partner = Selectable<PartnerTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type PartnerUserRow = Selectable<PartnerUserTable>;
type Credential = Selectable<Tables["partner_tokens"]>;

const changedRows = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

/** A row minted on behalf of sub-account `id` by its parent (the partial indexes' condition). */
function onBehalfOf(eb: ExpressionBuilder<Tables, "sessions" | "tickets">, id: string) {
  return eb.and([eb("account_id", "=", id), sql<boolean>`account_id <> partner_id`]);
}

export class PartnerStore {
  constructor(private readonly storage: Storage) {}

  private get read() {
    return this.storage.read;
  }

  insert(trx: Tx, partner: Partner) {
    return trx.insertInto("partners").values(partner).execute();
  }

  find(id: string): Promise<Partner | undefined> {
    return this.read.selectFrom("partners").selectAll().where("id", "=", id).executeTakeFirst();
  }

  list(): Promise<Partner[]> {
    return this.read
      .selectFrom("partners")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  async update(
    trx: Tx,
    id: string,
    changes: Partial<Pick<Partner, "status" | "contract_expires_at" | "name">>,
    now: number,
  ): Promise<boolean> {
    const result = await trx
      .updateTable("partners")
      .set({ ...changes, updated_at: now })
      .where("id", "=", id)
      .executeTakeFirst();
    return changedRows(result) > 0;
  }

  /**
   * Ends every live session and outstanding ticket a partner made or that belongs to it. Rows of
   * its own have its id as partner_id; rows minted for it by a parent are found through the
   * partial sub-account indexes (migration 0015), whose condition the query repeats. Answers the
   * ids of the sessions it ended.
   */
  async endEverything(trx: Tx, id: string, now: number): Promise<string[]> {
    const ended = await trx
      .updateTable("sessions")
      .set({ ended_at: now, end_reason: "partner_suspended" })
      .where((eb) => eb.or([eb("partner_id", "=", id), onBehalfOf(eb, id)]))
      .where("ended_at", "is", null)
      .returning("id")
      .execute();
    await trx
      .updateTable("tickets")
      .set({ status: "revoked", reason: "partner_inactive", finished_at: now })
      .where((eb) => eb.or([eb("partner_id", "=", id), onBehalfOf(eb, id)]))
      .where("status", "=", "issued")
      .execute();
    return ended.map((row) => row.id);
  }

  async link(trx: Tx, parentId: string, childId: string, now: number): Promise<void> {
    await trx
      .insertInto("partner_links")
      .values({ parent_id: parentId, child_id: childId, created_at: now })
      .onConflict((oc) => oc.columns(["parent_id", "child_id"]).doNothing())
      .execute();
  }

  async unlink(trx: Tx, parentId: string, childId: string): Promise<boolean> {
    const result = await trx
      .deleteFrom("partner_links")
      .where("parent_id", "=", parentId)
      .where("child_id", "=", childId)
      .executeTakeFirst();
    return changedRows(result) > 0;
  }

  async isLinked(parentId: string, childId: string): Promise<boolean> {
    const row = await this.read
      .selectFrom("partner_links")
      .select("child_id")
      .where("parent_id", "=", parentId)
      .where("child_id", "=", childId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async children(parentId: string): Promise<string[]> {
    const rows = await this.read
      .selectFrom("partner_links")
      .select("child_id")
      .where("parent_id", "=", parentId)
      .execute();
    return rows.map((row) => row.child_id);
  }

  insertPartnerToken(trx: Tx, row: Credential) {
    return trx.insertInto("partner_tokens").values(row).execute();
  }

  /** Ends the overlap of every live token of the partner at `until` (never extends an earlier end). */
  async expireLivePartnerTokens(trx: Tx, partnerId: string, until: number): Promise<void> {
    await trx
      .updateTable("partner_tokens")
      .set({ expires_at: until })
      .where("partner_id", "=", partnerId)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", until)]))
      .execute();
  }

  insertApiToken(trx: Tx, row: ApiToken) {
    return trx.insertInto("api_tokens").values(row).execute();
  }

  listApiTokens(partnerId: string): Promise<ApiToken[]> {
    return this.read
      .selectFrom("api_tokens")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  }

  async revokeApiToken(trx: Tx, partnerId: string, id: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("api_tokens")
      .set({ revoked_at: now })
      .where("id", "=", id)
      .where("partner_id", "=", partnerId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return changedRows(result) > 0;
  }

  async touchApiToken(trx: Tx, id: string, now: number): Promise<void> {
    await trx.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
  }

  /** Revokes every live SSO key of the partner, then adds `row`. */
  async replaceSsoKeys(trx: Tx, row: Credential): Promise<void> {
    await trx
      .updateTable("sso_keys")
      .set({ revoked_at: row.created_at })
      .where("partner_id", "=", row.partner_id)
      .where("revoked_at", "is", null)
      .execute();
    await trx.insertInto("sso_keys").values(row).execute();
  }

  findSsoKey(id: string) {
    return this.read
      .selectFrom("sso_keys")
      .select(["partner_id", "secret_hash", "revoked_at", "expires_at"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** Inserts a partner user; undefined when the partner already has one with that login. */
  insertPartnerUser(
    trx: Tx,
    row: Insertable<PartnerUserTable>,
  ): Promise<{ id: string } | undefined> {
    return trx
      .insertInto("partner_users")
      .values(row)
      .onConflict((oc) => oc.columns(["partner_id", "login"]).doNothing())
      .returning("id")
      .executeTakeFirst();
  }

  listPartnerUsers(partnerId: string) {
    return this.read
      .selectFrom("partner_users")
      .select(["id", "login", "role", "failed_attempts", "locked_until", "created_at"])
      .where("partner_id", "=", partnerId)
      .orderBy("login")
      .execute();
  }

  findPartnerUser(partnerId: string, login: string) {
    return this.read
      .selectFrom("partner_users")
      .select(["id", "password_hash", "failed_attempts", "locked_until"])
      .where("partner_id", "=", partnerId)
      .where("login", "=", login)
      .executeTakeFirst();
  }

  /** A partner user as the console knows it (no password hash). */
  partnerUserById(id: string) {
    return this.read
      .selectFrom("partner_users")
      .select(["id", "partner_id", "login", "role"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /**
   * Sets a partner user's password (and clears its lock); false when the partner has no such
   * user. Its console sessions and refresh tokens end with the old password.
   */
  async setPartnerUserPassword(
    trx: Tx,
    partnerId: string,
    id: string,
    passwordHash: string,
    now: number,
  ): Promise<boolean> {
    const updated = await trx
      .updateTable("partner_users")
      .set({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, updated_at: now })
      .where("id", "=", id)
      .where("partner_id", "=", partnerId)
      .executeTakeFirst();
    if (changedRows(updated) === 0) return false;
    await trx
      .updateTable("console_sessions")
      .set({ ended_at: now })
      .where("partner_user_id", "=", id)
      .where("ended_at", "is", null)
      .execute();
    await trx
      .updateTable("refresh_tokens")
      .set({ revoked_at: now })
      .where("partner_user_id", "=", id)
      .where("revoked_at", "is", null)
      .execute();
    return true;
  }

  /**
   * Clears a partner user's lock and count of wrong passwords; answers its id, or undefined when
   * there is no such user (of that partner, when one is named).
   */
  async unlockPartnerUser(
    trx: Tx,
    where: { partnerId?: string; login: string } | { partnerId?: string; id: string },
    now: number,
  ): Promise<string | undefined> {
    let query = trx
      .updateTable("partner_users")
      .set({ failed_attempts: 0, locked_until: null, updated_at: now });
    query =
      "id" in where ? query.where("id", "=", where.id) : query.where("login", "=", where.login);
    if (where.partnerId !== undefined) query = query.where("partner_id", "=", where.partnerId);
    const row = await query.returning("id").executeTakeFirst();
    return row?.id;
  }

  /**
   * Counts a wrong password (atomically, so the count holds across IPs, processes and nodes); at
   * `max` the user is locked until `lockUntil` and the count starts again. Answers the lock.
   */
  async countFailedPassword(
    trx: Tx,
    id: string,
    max: number,
    now: number,
    lockUntil: number,
  ): Promise<number | null> {
    const counted = await trx
      .updateTable("partner_users")
      .set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1), updated_at: now }))
      .where("id", "=", id)
      .returning("failed_attempts")
      .executeTakeFirst();
    if (!counted || counted.failed_attempts < max) return null;
    await trx
      .updateTable("partner_users")
      .set({ locked_until: lockUntil, failed_attempts: 0 })
      .where("id", "=", id)
      .execute();
    return lockUntil;
  }
}
