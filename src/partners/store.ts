// Queries for partners, sub-account links and partner credentials.
import type { Kysely, Selectable, Transaction } from "kysely";
import type { ApiTokenTable, PartnerTable, Tables } from "../db/schema.js";

export type Partner = Selectable<PartnerTable>;
export type ApiToken = Selectable<ApiTokenTable>;
type Db = Kysely<Tables> | Transaction<Tables>;

export const partnerStore = {
  insert(db: Db, partner: Partner) {
    return db.insertInto("partners").values(partner).execute();
  },

  find(db: Db, id: string): Promise<Partner | undefined> {
    return db.selectFrom("partners").selectAll().where("id", "=", id).executeTakeFirst();
  },

  list(db: Db): Promise<Partner[]> {
    return db.selectFrom("partners").selectAll().orderBy("created_at").orderBy("id").execute();
  },

  async update(
    db: Db,
    id: string,
    changes: Partial<Pick<Partner, "status" | "contract_expires_at" | "name">>,
    now: number,
  ): Promise<boolean> {
    const result = await db
      .updateTable("partners")
      .set({ ...changes, updated_at: now })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async link(db: Db, parentId: string, childId: string, now: number): Promise<void> {
    await db
      .insertInto("partner_links")
      .values({ parent_id: parentId, child_id: childId, created_at: now })
      .onConflict((oc) => oc.columns(["parent_id", "child_id"]).doNothing())
      .execute();
  },

  async unlink(db: Db, parentId: string, childId: string): Promise<boolean> {
    const result = await db
      .deleteFrom("partner_links")
      .where("parent_id", "=", parentId)
      .where("child_id", "=", childId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },

  async isLinked(db: Db, parentId: string, childId: string): Promise<boolean> {
    const row = await db
      .selectFrom("partner_links")
      .select("child_id")
      .where("parent_id", "=", parentId)
      .where("child_id", "=", childId)
      .executeTakeFirst();
    return row !== undefined;
  },

  children(db: Db, parentId: string): Promise<{ child_id: string }[]> {
    return db
      .selectFrom("partner_links")
      .select("child_id")
      .where("parent_id", "=", parentId)
      .execute();
  },
};

export const partnerTokenStore = {
  insert(db: Db, row: Selectable<Tables["partner_tokens"]>) {
    return db.insertInto("partner_tokens").values(row).execute();
  },

  /** Ends the overlap of every live token of the partner at `until` (never extends an earlier end). */
  async expireLive(db: Db, partnerId: string, until: number): Promise<void> {
    await db
      .updateTable("partner_tokens")
      .set({ expires_at: until })
      .where("partner_id", "=", partnerId)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", until)]))
      .execute();
  },
};

export const apiTokenStore = {
  insert(db: Db, row: ApiToken) {
    return db.insertInto("api_tokens").values(row).execute();
  },

  list(db: Db, partnerId: string): Promise<ApiToken[]> {
    return db
      .selectFrom("api_tokens")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
  },

  async revoke(db: Db, partnerId: string, id: string, now: number): Promise<boolean> {
    const result = await db
      .updateTable("api_tokens")
      .set({ revoked_at: now })
      .where("id", "=", id)
      .where("partner_id", "=", partnerId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async touch(db: Db, id: string, now: number): Promise<void> {
    await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
  },
};

export const ssoKeyStore = {
  insert(db: Db, row: Selectable<Tables["sso_keys"]>) {
    return db.insertInto("sso_keys").values(row).execute();
  },

  async revokeAll(db: Db, partnerId: string, now: number): Promise<void> {
    await db
      .updateTable("sso_keys")
      .set({ revoked_at: now })
      .where("partner_id", "=", partnerId)
      .where("revoked_at", "is", null)
      .execute();
  },
};
