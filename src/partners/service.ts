// The rules for partners and their credentials: one partner token, many API tokens, SSO keys.
import type { Clock } from "../clock.js";
import { mintSecret, newId, parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import {
  type ApiToken,
  apiTokenStore,
  type Partner,
  partnerStore,
  partnerTokenStore,
  ssoKeyStore,
} from "./store.js";

export interface NewPartner {
  partner: Partner;
  /** Shown once. */
  partnerToken: string;
}

export interface NewApiToken {
  apiToken: PublicApiToken;
  /** Shown once. */
  token: string;
}

/** An API token as listings show it: never the secret or its hash. */
export interface PublicApiToken {
  id: string;
  partner_id: string;
  name: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

function publicApiToken(row: ApiToken): PublicApiToken {
  const { secret_hash: _hash, ...rest } = row;
  return rest;
}

export class PartnerService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly overlapSeconds: number,
    /** Called after any change that can end an access token (revocation, suspension, rotation). */
    private readonly credentialsChanged: () => void,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** Creates an active partner and its partner token. */
  async create(input: {
    name: string;
    contractExpiresAt?: number | null;
    id?: string;
  }): Promise<NewPartner> {
    const name = input.name.trim();
    if (!name || name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    const now = this.clock.now();
    const partner: Partner = {
      id: input.id ?? newId("ptn"),
      name,
      status: "active",
      contract_expires_at: input.contractExpiresAt ?? null,
      created_at: now,
      updated_at: now,
    };
    const secret = mintSecret(SecretPrefix.partnerToken);
    await this.db.transaction().execute(async (trx) => {
      await partnerStore.insert(trx, partner);
      await partnerTokenStore.insert(trx, {
        id: secret.id,
        partner_id: partner.id,
        secret_hash: secret.hash,
        created_at: now,
        expires_at: null,
        revoked_at: null,
      });
    });
    return { partner, partnerToken: secret.token };
  }

  list(): Promise<Partner[]> {
    return partnerStore.list(this.db);
  }

  async get(id: string): Promise<Partner> {
    const partner = await partnerStore.find(this.db, id);
    if (!partner) throw new HandoffError("not_found", `no partner ${id}`);
    return partner;
  }

  /**
   * Suspending a partner ends, in the same transaction, every live session and outstanding
   * ticket it made or that belongs to it: reactivating it later does not bring them back.
   */
  async setStatus(id: string, status: Partner["status"]): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      if (!(await partnerStore.update(trx, id, { status }, now))) {
        throw new HandoffError("not_found", `no partner ${id}`);
      }
      if (status !== "suspended") return;
      await trx
        .updateTable("sessions")
        .set({ ended_at: now, end_reason: "partner_suspended" })
        .where((eb) => eb.or([eb("partner_id", "=", id), eb("account_id", "=", id)]))
        .where("ended_at", "is", null)
        .execute();
      await trx
        .updateTable("tickets")
        .set({ status: "revoked", reason: "partner_inactive", finished_at: now })
        .where((eb) => eb.or([eb("partner_id", "=", id), eb("account_id", "=", id)]))
        .where("status", "=", "issued")
        .execute();
    });
    this.credentialsChanged();
  }

  async setContractExpiry(id: string, expiresAt: number | null): Promise<void> {
    if (
      !(await partnerStore.update(
        this.db,
        id,
        { contract_expires_at: expiresAt },
        this.clock.now(),
      ))
    ) {
      throw new HandoffError("not_found", `no partner ${id}`);
    }
    this.credentialsChanged();
  }

  /** Lets `parentId` act on behalf of `childId`; nothing else gains any right. */
  async link(parentId: string, childId: string): Promise<void> {
    if (parentId === childId)
      throw new HandoffError("invalid_request", "a partner cannot be its own sub-account");
    await this.get(parentId);
    await this.get(childId);
    await partnerStore.link(this.db, parentId, childId, this.clock.now());
  }

  async unlink(parentId: string, childId: string): Promise<boolean> {
    const removed = await partnerStore.unlink(this.db, parentId, childId);
    this.credentialsChanged();
    return removed;
  }

  async subAccounts(parentId: string): Promise<string[]> {
    return (await partnerStore.children(this.db, parentId)).map((row) => row.child_id);
  }

  isLinked(parentId: string, childId: string): Promise<boolean> {
    return partnerStore.isLinked(this.db, parentId, childId);
  }

  /**
   * Issues a new partner token. The old one keeps working for the overlap window (default
   * HANDOFF_PARTNER_TOKEN_OVERLAP), then stops, and so do access tokens exchanged with it.
   */
  async rotatePartnerToken(
    partnerId: string,
    overlapSeconds = this.overlapSeconds,
  ): Promise<string> {
    await this.get(partnerId);
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.partnerToken);
    await this.db.transaction().execute(async (trx) => {
      await partnerTokenStore.expireLive(trx, partnerId, now + overlapSeconds * 1000);
      await partnerTokenStore.insert(trx, {
        id: secret.id,
        partner_id: partnerId,
        secret_hash: secret.hash,
        created_at: now,
        expires_at: null,
        revoked_at: null,
      });
    });
    this.credentialsChanged();
    return secret.token;
  }

  async createApiToken(
    partnerId: string,
    input: { name: string; expiresAt?: number | null },
  ): Promise<NewApiToken> {
    await this.get(partnerId);
    const name = input.name.trim();
    if (!name || name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    const now = this.clock.now();
    if (input.expiresAt != null && input.expiresAt <= now) {
      throw new HandoffError("invalid_request", "expiry must be in the future");
    }
    const secret = mintSecret(SecretPrefix.apiToken);
    const row: ApiToken = {
      id: secret.id,
      partner_id: partnerId,
      name,
      secret_hash: secret.hash,
      created_at: now,
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
    };
    await apiTokenStore.insert(this.db, row);
    return { apiToken: publicApiToken(row), token: secret.token };
  }

  async listApiTokens(partnerId: string): Promise<PublicApiToken[]> {
    await this.get(partnerId);
    return (await apiTokenStore.list(this.db, partnerId)).map(publicApiToken);
  }

  /** Revokes one of the partner's API tokens; a token of another partner is "not found". */
  async revokeApiToken(partnerId: string, id: string): Promise<void> {
    if (!(await apiTokenStore.revoke(this.db, partnerId, id, this.clock.now()))) {
      throw new HandoffError("not_found", `no live API token ${id}`);
    }
    this.credentialsChanged();
  }

  /** Issues a new SSO key for the legacy one-call shapes; earlier keys stop at once. */
  async rotateSsoKey(partnerId: string): Promise<string> {
    await this.get(partnerId);
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.ssoKey);
    await this.db.transaction().execute(async (trx) => {
      await ssoKeyStore.revokeAll(trx, partnerId, now);
      await ssoKeyStore.insert(trx, {
        id: secret.id,
        partner_id: partnerId,
        secret_hash: secret.hash,
        created_at: now,
        expires_at: null,
        revoked_at: null,
      });
    });
    return secret.token;
  }

  /**
   * The partner an SSO key belongs to, or null for an unknown, wrong, revoked or expired key
   * (one answer for all). The key's partner must still be in good standing to be used.
   */
  async authenticateSsoKey(token: unknown): Promise<string | null> {
    const parsed = parseSecret(SecretPrefix.ssoKey, token);
    if (!parsed) return null;
    const row = await this.db
      .selectFrom("sso_keys")
      .select(["partner_id", "secret_hash", "revoked_at", "expires_at"])
      .where("id", "=", parsed.id)
      .executeTakeFirst();
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const now = this.clock.now();
    if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    return row.partner_id;
  }
}
