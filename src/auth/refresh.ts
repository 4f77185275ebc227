// Refresh tokens of seed 000's password grant: single use, rotated on every refresh (the old
// one stops working), and a replayed one revokes its whole family (RFC 9700 §4.14.2).
import type { Clock } from "../clock.js";
import { mintSecret, newId, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export interface RefreshGrant {
  partnerUserId: string;
  partnerTokenId: string;
  accountId: string;
}

export class RefreshTokenService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** A new refresh token (in a new family unless `familyId` continues one); shown once. */
  async issue(grant: RefreshGrant, familyId: string = newId("rtf")): Promise<string> {
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.refreshToken);
    await this.database.db
      .insertInto("refresh_tokens")
      .values({
        id: secret.id,
        secret_hash: secret.hash,
        family_id: familyId,
        partner_user_id: grant.partnerUserId,
        partner_token_id: grant.partnerTokenId,
        account_id: grant.accountId,
        created_at: now,
        expires_at: now + REFRESH_TOKEN_TTL_SECONDS * 1000,
        used_at: null,
        revoked_at: null,
      })
      .execute();
    return secret.token;
  }

  /**
   * Uses a refresh token: returns its grant and a successor, or null when it is unknown, wrong,
   * expired, revoked or already used. A second use of a used token revokes the whole family.
   */
  async rotate(
    token: string,
    partnerId: string,
  ): Promise<{ grant: RefreshGrant; next: string } | null> {
    const parsed = parseSecret(SecretPrefix.refreshToken, token);
    if (!parsed) return null;
    const row = await this.database.db
      .selectFrom("refresh_tokens as r")
      .innerJoin("partner_users as u", "u.id", "r.partner_user_id")
      .selectAll("r")
      .select("u.partner_id")
      .where("r.id", "=", parsed.id)
      .executeTakeFirst();
    if (!row || !secretMatches(parsed.secret, row.secret_hash) || row.partner_id !== partnerId) {
      return null;
    }
    const now = this.clock.now();
    if (row.revoked_at !== null || row.expires_at <= now) return null;
    const used = await this.database.db
      .updateTable("refresh_tokens")
      .set({ used_at: now })
      .where("id", "=", row.id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) {
      // A replay: someone holds a copy. End every token of this login.
      await this.database.db
        .updateTable("refresh_tokens")
        .set({ revoked_at: now })
        .where("family_id", "=", row.family_id)
        .where("revoked_at", "is", null)
        .execute();
      return null;
    }
    const grant = {
      partnerUserId: row.partner_user_id,
      partnerTokenId: row.partner_token_id,
      accountId: row.account_id,
    };
    return { grant, next: await this.issue(grant, row.family_id) };
  }
}
