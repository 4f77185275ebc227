// The rules for partners and their credentials: one partner token, many API tokens, SSO keys.
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import {
  type MintedSecret,
  mintSecret,
  newId,
  parseSecret,
  SecretPrefix,
  secretMatches,
} from "../crypto/secrets.js";
import type { Storage, Tx } from "../db/database.js";
import { HandoffError } from "../http/errors.js";
import type { ApiToken, Partner, PartnerStore } from "./store.js";

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

/** A partner token's or SSO key's row: only the secret's hash, no expiry until rotated out. */
function credentialRow(secret: MintedSecret, partnerId: string, now: number) {
  return {
    id: secret.id,
    partner_id: partnerId,
    secret_hash: secret.hash,
    created_at: now,
    expires_at: null,
    revoked_at: null,
  };
}

export class PartnerService {
  constructor(
    private readonly storage: Storage,
    private readonly store: PartnerStore,
    private readonly clock: Clock,
    private readonly overlapSeconds: number,
    private readonly audit: AuditLog,
    /** Told which sessions a suspension ended, in its transaction (OIDC back-channel logout). */
    private readonly sessionsEnded: (
      trx: Tx,
      ids: string[],
      now: number,
    ) => Promise<void> = async () => {},
  ) {}

  /** Creates an active partner and its partner token. */
  async create(
    input: {
      name: string;
      contractExpiresAt?: number | null;
      id?: string;
    },
    by: Actor = CLI,
  ): Promise<NewPartner> {
    const name = input.name.trim();
    if (!name || name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    const now = this.clock.now();
    // A contract that has already ended would make an "active" partner whose every exchange
    // fails as expired; ending a contract is `expire` (or the contract end) on a partner.
    if (input.contractExpiresAt != null && input.contractExpiresAt <= now) {
      throw new HandoffError(
        "invalid_request",
        "the contract end is in the past: a new partner's contract must end in the future",
      );
    }
    const partner: Partner = {
      id: input.id ?? newId("ptn"),
      name,
      status: "active",
      contract_expires_at: input.contractExpiresAt ?? null,
      created_at: now,
      updated_at: now,
    };
    const secret = mintSecret(SecretPrefix.partnerToken);
    await this.storage.write(async (trx) => {
      await this.store.insert(trx, partner);
      await this.store.insertPartnerToken(trx, credentialRow(secret, partner.id, now));
      await this.audit.record(trx, changeEntry(by, now, "partner.create", partner.id, partner.id));
    });
    return { partner, partnerToken: secret.token };
  }

  list(): Promise<Partner[]> {
    return this.store.list();
  }

  find(id: string): Promise<Partner | undefined> {
    return this.store.find(id);
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.store.find(id);
    if (!partner) throw new HandoffError("not_found", `no partner ${id}`);
    return partner;
  }

  /**
   * Suspending a partner ends, in the same transaction, every live session and outstanding
   * ticket it made or that belongs to it: reactivating it later does not bring them back.
   */
  async setStatus(id: string, status: Partner["status"], by: Actor = CLI): Promise<void> {
    const now = this.clock.now();
    await this.storage.write(async (trx, changed) => {
      if (!(await this.store.update(trx, id, { status }, now))) {
        throw new HandoffError("not_found", `no partner ${id}`);
      }
      changed({ topic: "credentials" });
      const action = status === "suspended" ? "partner.suspend" : "partner.activate";
      await this.audit.record(trx, changeEntry(by, now, action, id, id));
      if (status !== "suspended") return;
      await this.sessionsEnded(trx, await this.store.endEverything(trx, id, now), now);
      changed({ topic: "sessions" });
    });
  }

  async setContractExpiry(id: string, expiresAt: number | null, by: Actor = CLI): Promise<void> {
    const now = this.clock.now();
    await this.storage.write(async (trx, changed) => {
      if (!(await this.store.update(trx, id, { contract_expires_at: expiresAt }, now))) {
        throw new HandoffError("not_found", `no partner ${id}`);
      }
      changed({ topic: "credentials" });
      await this.audit.record(
        trx,
        changeEntry(by, now, "partner.contract", id, id, { contract_expires_at: expiresAt }),
      );
    });
  }

  /** Lets `parentId` act on behalf of `childId`; nothing else gains any right. */
  async link(parentId: string, childId: string, by: Actor = CLI): Promise<void> {
    if (parentId === childId)
      throw new HandoffError("invalid_request", "a partner cannot be its own sub-account");
    await this.get(parentId);
    await this.get(childId);
    const now = this.clock.now();
    await this.storage.write(async (trx, changed) => {
      await this.store.link(trx, parentId, childId, now);
      changed({ topic: "credentials" });
      await this.audit.record(trx, changeEntry(by, now, "partner.link", parentId, childId));
    });
  }

  /** Takes the right away at once: tickets minted on the child's behalf stop redeeming too. */
  unlink(parentId: string, childId: string, by: Actor = CLI): Promise<boolean> {
    const now = this.clock.now();
    return this.storage.write(async (trx, changed) => {
      const removed = await this.store.unlink(trx, parentId, childId);
      changed({ topic: "credentials" });
      if (removed)
        await this.audit.record(trx, changeEntry(by, now, "partner.unlink", parentId, childId));
      return removed;
    });
  }

  subAccounts(parentId: string): Promise<string[]> {
    return this.store.children(parentId);
  }

  isLinked(parentId: string, childId: string): Promise<boolean> {
    return this.store.isLinked(parentId, childId);
  }

  /**
   * Issues a new partner token. The old one keeps working for the overlap window (default
   * HANDOFF_PARTNER_TOKEN_OVERLAP), then stops, and so do access tokens exchanged with it.
   */
  async rotatePartnerToken(
    partnerId: string,
    overlapSeconds = this.overlapSeconds,
    by: Actor = CLI,
  ): Promise<string> {
    await this.get(partnerId);
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.partnerToken);
    await this.storage.write(async (trx, changed) => {
      await this.store.expireLivePartnerTokens(trx, partnerId, now + overlapSeconds * 1000);
      changed({ topic: "credentials" });
      await this.store.insertPartnerToken(trx, credentialRow(secret, partnerId, now));
      await this.audit.record(
        trx,
        changeEntry(by, now, "partner_token.rotate", partnerId, secret.id, {
          overlap_seconds: overlapSeconds,
        }),
      );
    });
    return secret.token;
  }

  async createApiToken(
    partnerId: string,
    input: { name: string; expiresAt?: number | null },
    by: Actor = CLI,
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
    await this.storage.write(async (trx) => {
      await this.store.insertApiToken(trx, row);
      await this.audit.record(
        trx,
        changeEntry(by, now, "api_token.create", partnerId, row.id, { name }),
      );
    });
    return { apiToken: publicApiToken(row), token: secret.token };
  }

  async listApiTokens(partnerId: string): Promise<PublicApiToken[]> {
    await this.get(partnerId);
    return (await this.store.listApiTokens(partnerId)).map(publicApiToken);
  }

  /** Revokes one of the partner's API tokens; a token of another partner is "not found". */
  async revokeApiToken(partnerId: string, id: string, by: Actor = CLI): Promise<void> {
    const now = this.clock.now();
    await this.storage.write(async (trx, changed) => {
      if (!(await this.store.revokeApiToken(trx, partnerId, id, now))) {
        throw new HandoffError("not_found", `no live API token ${id}`);
      }
      changed({ topic: "credentials" });
      await this.audit.record(trx, changeEntry(by, now, "api_token.revoke", partnerId, id));
    });
  }

  /** Issues a new SSO key for the legacy one-call shapes; earlier keys stop at once. */
  async rotateSsoKey(partnerId: string, by: Actor = CLI): Promise<string> {
    await this.get(partnerId);
    const now = this.clock.now();
    const secret = mintSecret(SecretPrefix.ssoKey);
    await this.storage.write(async (trx) => {
      await this.store.replaceSsoKeys(trx, credentialRow(secret, partnerId, now));
      await this.audit.record(trx, changeEntry(by, now, "sso_key.rotate", partnerId, secret.id));
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
    const row = await this.store.findSsoKey(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
    const now = this.clock.now();
    if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    return row.partner_id;
  }
}
