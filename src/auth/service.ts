// The token exchange (partner token + API token → access token) and the bearer check.
import type { JWTPayload } from "jose";
import type { Clock } from "../clock.js";
import { parseSecret, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import { SharedCache } from "../db/cache.js";
import type { Storage } from "../db/database.js";
import { basicCredentials } from "../http/basic.js";
import { type ErrorCode, HandoffError } from "../http/errors.js";
import type { KeyStore } from "../keys/service.js";
import type { AuthStore, CredentialRow, ExchangeRow } from "./store.js";

export const ACCESS_TOKEN_TTL_SECONDS = 24 * 3600;
export const ACCESS_TOKEN_TYP = "at+jwt";
export const ACCESS_TOKEN_AUDIENCE = "handoff:partner-api";
const LAST_USED_EVERY_MS = 60_000;
const VERIFIED_CACHE_SIZE = 10_000;

/** Who a valid access token speaks for. */
export interface PartnerPrincipal {
  partnerId: string;
  /** The API token behind the access token (native and seed 001 exchanges)… */
  apiTokenId: string | null;
  /** …or the partner user who logged in with a password (seed 000's password grant). */
  partnerUserId: string | null;
  partnerTokenId: string;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: number;
  principal: PartnerPrincipal;
}

export class AuthService {
  /** Credential checks, keyed by API token id + partner token id (the token's identity, not its bytes). */
  readonly #checks: SharedCache<ErrorCode | null>;
  /** Verified access tokens, so the signature is checked once per token, not once per request. */
  readonly #verified = new Map<string, { principal: PartnerPrincipal; exp: number; kid: string }>();
  readonly #lastUsedWrites = new Map<string, number>();
  /**
   * Rows behind recent successful exchanges, by partner token id + API token id. Only the lookup
   * is saved: every check (both secrets, expiries, status) runs on each exchange.
   */
  readonly #exchangeRows: SharedCache<ExchangeRow>;
  /** Partner standing checks (active, within contract, sub-account still linked). */
  readonly #standing: SharedCache<boolean>;

  constructor(
    private readonly storage: Storage,
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    cacheMs: number,
    /** Whether a partner may act for an account (the partners domain's sub-account links). */
    private readonly isLinked: (parentId: string, childId: string) => Promise<boolean>,
  ) {
    const now = () => clock.now();
    this.#checks = new SharedCache(storage.changes, now, cacheMs, VERIFIED_CACHE_SIZE);
    this.#exchangeRows = new SharedCache(storage.changes, now, cacheMs, VERIFIED_CACHE_SIZE);
    this.#standing = new SharedCache(storage.changes, now, cacheMs, VERIFIED_CACHE_SIZE);
  }

  /** Forgets every cached credential check: a credential, a partner's standing or a link changed. */
  credentialsChanged(): void {
    this.#checks.clear();
    this.#exchangeRows.clear();
    this.#standing.clear();
  }

  /**
   * Whether `partnerId` may still act for `accountId` (itself or a linked sub-account): both
   * active and within contract, and the link still there. Used on every redemption and session
   * check, so a suspension ends sessions at once in this process and within the cache time elsewhere.
   */
  async standing(partnerId: string, accountId: string): Promise<boolean> {
    const now = this.clock.now();
    const key = `${partnerId}|${accountId}`;
    const cached = this.#standing.get(key);
    if (cached !== undefined) return cached;
    const ids = partnerId === accountId ? [partnerId] : [partnerId, accountId];
    const rows = await this.store.partnersStanding(ids);
    let ok =
      rows.length === ids.length &&
      rows.every(
        (r) =>
          r.status === "active" && (r.contract_expires_at === null || r.contract_expires_at > now),
      );
    if (ok && partnerId !== accountId) ok = await this.isLinked(partnerId, accountId);
    const expiries = rows
      .map((r) => r.contract_expires_at)
      .filter((t): t is number => typeof t === "number" && t > now);
    this.#standing.set(key, ok, Math.min(...expiries));
    return ok;
  }

  /**
   * Exchanges a partner token and an API token for a 24-hour access token. Checks run in the
   * order of seed 001's error table, so each failure has its own answer.
   */
  async exchange(partnerTokenInput: unknown, apiTokenInput: unknown): Promise<AccessToken> {
    if (!nonEmpty(partnerTokenInput) || !nonEmpty(apiTokenInput))
      throw new HandoffError("missing_credentials");
    const now = this.clock.now();

    const presentedPartner = parseSecret(SecretPrefix.partnerToken, partnerTokenInput);
    const presentedApi = parseSecret(SecretPrefix.apiToken, apiTokenInput);
    // One indexed lookup for all three rows: partner token, its partner, the API token.
    const key = `${presentedPartner?.id}|${presentedApi?.id}`;
    const cached = this.#exchangeRows.get(key);
    const row =
      cached ??
      (presentedPartner
        ? await this.store.exchangeRow(presentedPartner.id, presentedApi?.id ?? "")
        : undefined);
    if (
      !presentedPartner ||
      !row ||
      !secretMatches(presentedPartner.secret, row.pt_hash) ||
      row.pt_revoked_at !== null ||
      (row.pt_expires_at !== null && row.pt_expires_at <= now)
    ) {
      throw new HandoffError("invalid_partner_token");
    }
    if (row.contract_expires_at !== null && row.contract_expires_at <= now)
      throw new HandoffError("account_expired");
    if (row.status !== "active") throw new HandoffError("account_inactive");

    if (
      !presentedApi ||
      row.api_id === null ||
      row.api_hash === null ||
      !secretMatches(presentedApi.secret, row.api_hash)
    ) {
      throw new HandoffError("invalid_api_token");
    }
    if (row.api_partner_id !== row.partner_id) throw new HandoffError("credentials_mismatch");
    if (row.api_revoked_at !== null) throw new HandoffError("invalid_api_token");
    if (row.api_expires_at !== null && row.api_expires_at <= now)
      throw new HandoffError("api_token_expired");
    const apiToken = { id: row.api_id };
    const partner = { id: row.partner_id };
    const partnerToken = { id: row.pt_id };
    if (row !== cached) this.#exchangeRows.set(key, row);

    await this.#touch(apiToken.id, now);
    return this.#issue({
      partnerId: partner.id,
      apiTokenId: apiToken.id,
      partnerUserId: null,
      partnerTokenId: partnerToken.id,
    });
  }

  /** An access token for a partner user who logged in with a password (seed 000). */
  issueForPartnerUser(
    partnerId: string,
    partnerTokenId: string,
    partnerUserId: string,
  ): Promise<AccessToken> {
    return this.#issue({ partnerId, apiTokenId: null, partnerUserId, partnerTokenId });
  }

  async #issue(principal: PartnerPrincipal): Promise<AccessToken> {
    const { token, expiresAt } = await this.keys.sign(
      {
        partner_id: principal.partnerId,
        partner_token_id: principal.partnerTokenId,
        ...(principal.apiTokenId !== null
          ? { api_token_id: principal.apiTokenId }
          : { partner_user_id: principal.partnerUserId }),
      },
      {
        typ: ACCESS_TOKEN_TYP,
        audience: ACCESS_TOKEN_AUDIENCE,
        subject: principal.partnerId,
        jti: crypto.randomUUID(),
        ttlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      },
    );
    return { accessToken: token, expiresAt, principal };
  }

  /**
   * A partner id and its partner token (HTTP Basic of seed 000's token endpoint): the partner
   * token's id when it is the partner's, live (the rotation overlap counts), and the partner in
   * good standing; null otherwise.
   */
  async partnerTokenFor(partnerId: string, token: string): Promise<string | null> {
    const parsed = parseSecret(SecretPrefix.partnerToken, token);
    if (!parsed) return null;
    const row = await this.store.findCredential("partner_tokens", parsed.id);
    return liveCredential(row, parsed.secret, partnerId, this.clock.now()) ? parsed.id : null;
  }

  /** Last-used time, written at most once a minute per token so the hot path stays read-only. */
  async #touch(apiTokenId: string, now: number): Promise<void> {
    const last = this.#lastUsedWrites.get(apiTokenId) ?? 0;
    if (now - last < LAST_USED_EVERY_MS) return;
    this.#lastUsedWrites.set(apiTokenId, now);
    if (this.#lastUsedWrites.size > VERIFIED_CACHE_SIZE) this.#lastUsedWrites.clear();
    await this.storage.write((trx) => this.store.touchApiToken(trx, apiTokenId, now));
  }

  /**
   * Checks an `Authorization: Bearer` header and the credentials behind the token: the API
   * token not revoked or expired, the partner token not rotated out, the partner active.
   */
  async authenticate(authorization: string | undefined): Promise<PartnerPrincipal> {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization ?? "");
    if (!match?.[1])
      throw new HandoffError("invalid_token", "send Authorization: Bearer <access token>");
    const principal = await this.#verify(match[1]);
    const failure = await this.#check(principal);
    if (failure) throw new HandoffError(failure);
    return principal;
  }

  /**
   * HTTP Basic with the partner id as user name and an API token as password (seed 004's
   * authentication): the API token must be the partner's, live, and the partner in good standing.
   * Every failure is the same invalid_token, so nothing tells which part was wrong.
   */
  async authenticateBasic(
    authorization: string | undefined,
  ): Promise<{ partnerId: string; apiTokenId: string }> {
    const basic = basicCredentials(authorization);
    const partnerId = basic?.user ?? "";
    const parsed = basic ? parseSecret(SecretPrefix.apiToken, basic.password) : null;
    if (!parsed) {
      throw new HandoffError(
        "invalid_token",
        "send Authorization: Basic base64(partner id:API token)",
      );
    }
    const row = await this.store.findCredential("api_tokens", parsed.id);
    if (!liveCredential(row, parsed.secret, partnerId, this.clock.now())) {
      throw new HandoffError("invalid_token");
    }
    if (!(await this.standing(partnerId, partnerId))) throw new HandoffError("account_inactive");
    return { partnerId, apiTokenId: parsed.id };
  }

  async #verify(token: string): Promise<PartnerPrincipal> {
    const nowSeconds = this.clock.now() / 1000;
    const cached = this.#verified.get(token);
    // A cached signature counts only while its key is live (an emergency revocation is immediate).
    if (cached && cached.exp > nowSeconds && this.keys.isLive(cached.kid)) return cached.principal;
    let payload: JWTPayload;
    let kid: string;
    try {
      ({ payload, kid } = await this.keys.verify(token, {
        typ: ACCESS_TOKEN_TYP,
        audience: ACCESS_TOKEN_AUDIENCE,
      }));
    } catch (error) {
      throw new HandoffError("invalid_token", undefined, { cause: error });
    }
    const { partner_id, api_token_id, partner_user_id, partner_token_id, sub, exp } = payload;
    if (
      typeof partner_id !== "string" ||
      typeof partner_token_id !== "string" ||
      // Exactly one kind of credential stands behind a token.
      (typeof api_token_id === "string") === (typeof partner_user_id === "string") ||
      (api_token_id !== undefined && typeof api_token_id !== "string") ||
      (partner_user_id !== undefined && typeof partner_user_id !== "string") ||
      sub !== partner_id ||
      typeof exp !== "number"
    ) {
      throw new HandoffError("invalid_token");
    }
    const principal: PartnerPrincipal = {
      partnerId: partner_id,
      apiTokenId: typeof api_token_id === "string" ? api_token_id : null,
      partnerUserId: typeof partner_user_id === "string" ? partner_user_id : null,
      partnerTokenId: partner_token_id,
    };
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
    this.#verified.set(token, { principal, exp, kid });
    return principal;
  }

  async #check(principal: PartnerPrincipal): Promise<ErrorCode | null> {
    const now = this.clock.now();
    const key = `${principal.apiTokenId ?? `user:${principal.partnerUserId}`}|${principal.partnerTokenId}`;
    const cached = this.#checks.get(key);
    if (cached !== undefined) return cached;
    const row: CredentialRow | undefined =
      principal.apiTokenId === null
        ? await this.store.partnerUserCredentials(
            principal.partnerUserId ?? "",
            principal.partnerTokenId,
          )
        : await this.store.apiTokenCredentials(principal.apiTokenId, principal.partnerTokenId);
    let failure: ErrorCode | null = null;
    if (!row || row.partner_id !== principal.partnerId) failure = "invalid_token";
    else if (
      row.api_revoked_at !== null ||
      (row.api_expires_at !== null && row.api_expires_at <= now)
    )
      failure = "invalid_token";
    else if (row.pt_revoked_at !== null || (row.pt_expires_at !== null && row.pt_expires_at <= now))
      failure = "invalid_token";
    else if (row.contract_expires_at !== null && row.contract_expires_at <= now)
      failure = "account_expired";
    else if (row.status !== "active") failure = "account_inactive";
    // A cached "valid" must not outlive a known expiry.
    const expiries = [row?.api_expires_at, row?.pt_expires_at, row?.contract_expires_at].filter(
      (t): t is number => typeof t === "number" && t > now,
    );
    this.#checks.set(key, failure, Math.min(...expiries));
    return failure;
  }
}

/** A partner's credential row that matches the presented secret and is neither revoked nor expired. */
function liveCredential(
  row:
    | {
        partner_id: string;
        secret_hash: string;
        revoked_at: number | null;
        expires_at: number | null;
      }
    | undefined,
  secret: string,
  partnerId: string,
  now: number,
): boolean {
  return (
    row !== undefined &&
    secretMatches(secret, row.secret_hash) &&
    row.partner_id === partnerId &&
    row.revoked_at === null &&
    (row.expires_at === null || row.expires_at > now)
  );
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
