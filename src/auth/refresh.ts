// Refresh tokens of seed 000's password grant: single use, rotated on every refresh (the old
// one stops working), and a replayed one revokes its whole family (RFC 9700 §4.14.2).
import type { Clock } from "../clock.js";
import { mintSecret, newId, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import type { Storage, Tx } from "../db/database.js";
import type { AuthStore } from "./store.js";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export interface RefreshGrant {
  partnerUserId: string;
  partnerTokenId: string;
  accountId: string;
}

export class RefreshTokenService {
  constructor(
    private readonly storage: Storage,
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  /** A new refresh token in a new family; shown once. */
  issue(grant: RefreshGrant): Promise<string> {
    return this.storage.write((trx) => this.#issue(trx, grant, newId("rtf")));
  }

  async #issue(trx: Tx, grant: RefreshGrant, familyId: string): Promise<string> {
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.refreshToken);
    await this.store.insertRefreshToken(trx, {
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
    });
    return secret.token;
  }

  /**
   * Uses a refresh token: returns its grant and a successor, or null when it is unknown, wrong,
   * expired, revoked or already used. Marking it used and issuing the successor are one
   * transaction; a second use of a used token revokes the whole family.
   */
  async rotate(
    token: string,
    partnerId: string,
  ): Promise<{ grant: RefreshGrant; next: string } | null> {
    const parsed = parseSecret(SecretPrefix.refreshToken, token);
    if (!parsed) return null;
    const row = await this.store.findRefreshToken(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret_hash) || row.partner_id !== partnerId) {
      return null;
    }
    const now = this.clock.now();
    if (row.revoked_at !== null || row.expires_at <= now) return null;
    const grant = {
      partnerUserId: row.partner_user_id,
      partnerTokenId: row.partner_token_id,
      accountId: row.account_id,
    };
    return this.storage.write(async (trx) => {
      if (!(await this.store.useRefreshToken(trx, row.id, now))) {
        // A replay: someone holds a copy. End every token of this login.
        await this.store.revokeRefreshFamily(trx, row.family_id, now);
        return null;
      }
      return { grant, next: await this.#issue(trx, grant, row.family_id) };
    });
  }
}
