// The credential lookups behind the exchange and the bearer check (partner tokens, API tokens,
// partner users, partner standing), and refresh tokens. The only file with the auth domain's SQL;
// the rows it reads belong to the partners domain's tables.
import type { Selectable } from "kysely";
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import type { RefreshTokenTable } from "../db/schema.js";

export type RefreshTokenRow = Selectable<RefreshTokenTable>;

export interface ExchangeRow {
  pt_id: string;
  pt_hash: string;
  pt_revoked_at: number | null;
  pt_expires_at: number | null;
  partner_id: string;
  status: string;
  contract_expires_at: number | null;
  api_id: string | null;
  api_partner_id: string | null;
  api_hash: string | null;
  api_revoked_at: number | null;
  api_expires_at: number | null;
}

/** What the bearer check needs to know about the credentials behind an access token. */
export interface CredentialRow {
  partner_id: string;
  status: string;
  contract_expires_at: number | null;
  pt_revoked_at: number | null;
  pt_expires_at: number | null;
  api_revoked_at: number | null;
  api_expires_at: number | null;
}

/** One indexed lookup for the exchange: partner token, its partner, the API token. Compiled once. */
const exchangeRow = new PreparedQuery<ExchangeRow, "partner_token_id" | "api_token_id">((db, p) =>
  db
    .selectFrom("partner_tokens as t")
    .innerJoin("partners as p", "p.id", "t.partner_id")
    .leftJoin("api_tokens as a", (join) => join.on("a.id", "=", p("api_token_id")))
    .select([
      "t.id as pt_id",
      "t.secret_hash as pt_hash",
      "t.revoked_at as pt_revoked_at",
      "t.expires_at as pt_expires_at",
      "p.id as partner_id",
      "p.status",
      "p.contract_expires_at",
      "a.id as api_id",
      "a.partner_id as api_partner_id",
      "a.secret_hash as api_hash",
      "a.revoked_at as api_revoked_at",
      "a.expires_at as api_expires_at",
    ])
    .where("t.id", "=", p("partner_token_id")),
);

export class AuthStore {
  constructor(private readonly storage: Storage) {}

  private get read() {
    return this.storage.read;
  }

  async exchangeRow(partnerTokenId: string, apiTokenId: string): Promise<ExchangeRow | undefined> {
    const { rows } = await exchangeRow.execute(this.read, {
      partner_token_id: partnerTokenId,
      api_token_id: apiTokenId,
    });
    return rows[0];
  }

  /** Status and contract expiry of each of these partners. */
  partnersStanding(ids: string[]) {
    return this.read
      .selectFrom("partners")
      .select(["id", "status", "contract_expires_at"])
      .where("id", "in", ids)
      .execute();
  }

  /** A partner token or API token by id: whose it is, its hash, revocation and expiry. */
  findCredential(table: "partner_tokens" | "api_tokens", id: string) {
    return this.read
      .selectFrom(table)
      .select(["partner_id", "secret_hash", "revoked_at", "expires_at"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** An API token with its partner and the partner token an access token was exchanged with. */
  apiTokenCredentials(
    apiTokenId: string,
    partnerTokenId: string,
  ): Promise<CredentialRow | undefined> {
    return this.read
      .selectFrom("api_tokens as a")
      .innerJoin("partners as p", "p.id", "a.partner_id")
      .innerJoin("partner_tokens as t", (join) =>
        join.onRef("t.partner_id", "=", "p.id").on("t.id", "=", partnerTokenId),
      )
      .select([
        "a.revoked_at as api_revoked_at",
        "a.expires_at as api_expires_at",
        "p.id as partner_id",
        "p.status",
        "p.contract_expires_at",
        "t.revoked_at as pt_revoked_at",
        "t.expires_at as pt_expires_at",
      ])
      .where("a.id", "=", apiTokenId)
      .executeTakeFirst();
  }

  /** The same facts for a partner user's token: the user still exists, the rest as for API tokens. */
  async partnerUserCredentials(
    partnerUserId: string,
    partnerTokenId: string,
  ): Promise<CredentialRow | undefined> {
    const row = await this.read
      .selectFrom("partner_users as u")
      .innerJoin("partners as p", "p.id", "u.partner_id")
      .innerJoin("partner_tokens as t", (join) =>
        join.onRef("t.partner_id", "=", "p.id").on("t.id", "=", partnerTokenId),
      )
      .select([
        "p.id as partner_id",
        "p.status",
        "p.contract_expires_at",
        "t.revoked_at as pt_revoked_at",
        "t.expires_at as pt_expires_at",
      ])
      .where("u.id", "=", partnerUserId)
      .executeTakeFirst();
    return row ? { ...row, api_revoked_at: null, api_expires_at: null } : undefined;
  }

  async touchApiToken(trx: Tx, id: string, now: number): Promise<void> {
    await trx.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
  }

  async insertRefreshToken(trx: Tx, row: RefreshTokenRow): Promise<void> {
    await trx.insertInto("refresh_tokens").values(row).execute();
  }

  /** A refresh token with the partner of its user. */
  findRefreshToken(id: string) {
    return this.read
      .selectFrom("refresh_tokens as r")
      .innerJoin("partner_users as u", "u.id", "r.partner_user_id")
      .selectAll("r")
      .select("u.partner_id")
      .where("r.id", "=", id)
      .executeTakeFirst();
  }

  /**
   * Marks a refresh token used, only while it is unused, unrevoked and unexpired: one conditional
   * statement, so of two concurrent uses exactly one wins.
   */
  async useRefreshToken(trx: Tx, id: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("refresh_tokens")
      .set({ used_at: now })
      .where("id", "=", id)
      .where("used_at", "is", null)
      .where("revoked_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revokeRefreshFamily(trx: Tx, familyId: string, now: number): Promise<void> {
    await trx
      .updateTable("refresh_tokens")
      .set({ revoked_at: now })
      .where("family_id", "=", familyId)
      .where("revoked_at", "is", null)
      .execute();
  }
}
