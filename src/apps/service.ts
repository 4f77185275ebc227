// Apps: the platform's web apps that users land in, with their return paths and session policy.
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import { hashSecret, mintSecret, newId, SecretPrefix, secretMatches } from "../crypto/secrets.js";
import { SharedCache } from "../db/cache.js";
import type { Storage } from "../db/database.js";
import { checkOutboundUrl } from "../delivery/outbound.js";
import type { Cidr } from "../http/cidr.js";
import { HandoffError } from "../http/errors.js";
import { APP_DEFAULTS, type App, type AppChanges, type NewApp, toApp } from "./model.js";
import { checkSamlSettings, type SamlSettings } from "./saml-settings.js";
import type { AppRow, AppStore } from "./store.js";
import { checkPolicy, checkRedirectUris, checkReturnPaths, httpUrl } from "./validation.js";

export type { App, AppChanges, NewApp, OidcSettings } from "./model.js";
export { APP_DEFAULTS, appView } from "./model.js";
export type { AppRow } from "./store.js";

const GROUP = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function checkGroup(group: string | null | undefined): string | null {
  if (!group) return null;
  if (!GROUP.test(group)) {
    throw new HandoffError(
      "invalid_request",
      "sign_in_group: 1 to 64 lowercase letters, digits, _ or -",
    );
  }
  return group;
}

/** Loopback hosts, where a front-channel logout URI may be plain http (development). */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * A front-channel logout URI is loaded by the person's browser, not by Handoff's servers, so it
 * is checked like a redirect URI rather than like a webhook URL: https (plain http on a loopback
 * host, for development), no credentials or fragment, and, as Front-Channel Logout 1.0 §2 asks,
 * on the scheme, host and port of one of the app's redirect URIs: Handoff's logout page frames
 * only origins the app already receives codes at.
 */
function checkFrontchannelUri(row: AppRow): void {
  const uri = row.oidc_frontchannel_logout_uri;
  if (uri === null) return;
  const field = "frontchannel_logout_uri";
  checkRedirectUris([uri], field);
  const url = new URL(uri);
  if (url.protocol !== "https:" && !LOOPBACK.test(url.hostname)) {
    throw new HandoffError("invalid_request", `${field} must be https (http only on loopback)`);
  }
  const origins = (JSON.parse(row.oidc_redirect_uris) as string[]).map((r) => new URL(r).origin);
  if (!origins.includes(url.origin)) {
    throw new HandoffError(
      "invalid_request",
      `${field} must be on the scheme, host and port of one of the app's redirect URIs`,
    );
  }
}

export class AppService {
  /** Apps change rarely and are read on every mint and redemption. */
  readonly #cache: SharedCache<{ app: App; secretHash: string | null }>;
  /** Every app, for the shapes that pick an app by product name. */
  readonly #all: SharedCache<App[]>;

  constructor(
    private readonly storage: Storage,
    private readonly store: AppStore,
    private readonly clock: Clock,
    cacheMs: number,
    private readonly audit: AuditLog,
    /** Ranges an outbound URL may reach beside public addresses (HANDOFF_OUTBOUND_ALLOW). */
    private readonly outboundAllowed: Cidr[] = [],
  ) {
    const now = () => clock.now();
    this.#cache = new SharedCache(storage.changes, now, cacheMs, 1000);
    this.#all = new SharedCache(storage.changes, now, cacheMs, 1);
  }

  /** Drops what a change names (src/db/changes.ts). */
  forget(id?: string): void {
    if (id === undefined) this.#cache.clear();
    else this.#cache.delete(id);
    this.#all.clear();
  }

  async create(input: NewApp & { id?: string }, by: Actor = CLI): Promise<App> {
    const name = input.name.trim();
    if (!name || name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    const ttlDefault = input.ticketTtlDefault ?? APP_DEFAULTS.ticketTtlDefault;
    const now = this.clock.now();
    const row: AppRow = {
      id: input.id ?? newId("app"),
      name,
      base_url: httpUrl(input.baseUrl, "base_url"),
      return_paths: JSON.stringify(
        checkReturnPaths(input.returnPaths ?? [...APP_DEFAULTS.returnPaths]),
      ),
      products: JSON.stringify(input.products ?? []),
      ticket_ttl_default: ttlDefault,
      ticket_ttl_max: input.ticketTtlMax ?? Math.max(APP_DEFAULTS.ticketTtlMax, ttlDefault),
      session_idle_seconds: input.sessionIdleSeconds ?? APP_DEFAULTS.sessionIdleSeconds,
      session_absolute_seconds: input.sessionAbsoluteSeconds ?? APP_DEFAULTS.sessionAbsoluteSeconds,
      failure_url: input.failureUrl ? httpUrl(input.failureUrl, "failure_url") : null,
      created_at: now,
      updated_at: now,
      ip_binding: input.ipBinding ?? "exact",
      secret_hash: null,
      sees_auth_token: input.seesAuthToken ? 1 : 0,
      oidc_redirect_uris: checkRedirectUris(input.redirectUris ?? [], "redirect_uris"),
      oidc_post_logout_redirect_uris: checkRedirectUris(
        input.postLogoutRedirectUris ?? [],
        "post_logout_redirect_uris",
      ),
      oidc_refresh_tokens: input.refreshTokens ? 1 : 0,
      oidc_pkce_required: input.pkceRequired === false ? 0 : 1,
      oidc_backchannel_logout_uri: this.#backchannelUri(input.backchannelLogoutUri),
      oidc_frontchannel_logout_uri: input.frontchannelLogoutUri || null,
      saml: input.saml ? checkSamlSettings(input.saml, this.outboundAllowed) : null,
      sign_in_group: checkGroup(input.signInGroup),
    };
    checkPolicy(row);
    checkFrontchannelUri(row);
    await this.#uniqueEntity(row);
    await this.storage.write(async (trx, changed) => {
      await this.store.insert(trx, row);
      changed({ topic: "app", key: row.id });
      await this.audit.record(trx, changeEntry(by, now, "app.create", null, row.id));
    });
    return toApp(row);
  }

  async update(id: string, changes: AppChanges, by: Actor = CLI): Promise<App> {
    const current = await this.#row(id);
    const row: AppRow = {
      ...current,
      name: changes.name?.trim() ?? current.name,
      base_url: changes.baseUrl ? httpUrl(changes.baseUrl, "base_url") : current.base_url,
      return_paths: changes.returnPaths
        ? JSON.stringify(checkReturnPaths(changes.returnPaths))
        : current.return_paths,
      products: changes.products ? JSON.stringify(changes.products) : current.products,
      ticket_ttl_default: changes.ticketTtlDefault ?? current.ticket_ttl_default,
      ticket_ttl_max: changes.ticketTtlMax ?? current.ticket_ttl_max,
      session_idle_seconds: changes.sessionIdleSeconds ?? current.session_idle_seconds,
      session_absolute_seconds: changes.sessionAbsoluteSeconds ?? current.session_absolute_seconds,
      failure_url:
        changes.failureUrl === undefined
          ? current.failure_url
          : changes.failureUrl
            ? httpUrl(changes.failureUrl, "failure_url")
            : null,
      ip_binding: changes.ipBinding ?? current.ip_binding,
      sees_auth_token:
        changes.seesAuthToken === undefined
          ? current.sees_auth_token
          : changes.seesAuthToken
            ? 1
            : 0,
      oidc_redirect_uris: changes.redirectUris
        ? checkRedirectUris(changes.redirectUris, "redirect_uris")
        : current.oidc_redirect_uris,
      oidc_post_logout_redirect_uris: changes.postLogoutRedirectUris
        ? checkRedirectUris(changes.postLogoutRedirectUris, "post_logout_redirect_uris")
        : current.oidc_post_logout_redirect_uris,
      oidc_refresh_tokens:
        changes.refreshTokens === undefined
          ? current.oidc_refresh_tokens
          : changes.refreshTokens
            ? 1
            : 0,
      oidc_pkce_required:
        changes.pkceRequired === undefined
          ? current.oidc_pkce_required
          : changes.pkceRequired
            ? 1
            : 0,
      oidc_backchannel_logout_uri:
        changes.backchannelLogoutUri === undefined
          ? current.oidc_backchannel_logout_uri
          : this.#backchannelUri(changes.backchannelLogoutUri),
      oidc_frontchannel_logout_uri:
        changes.frontchannelLogoutUri === undefined
          ? current.oidc_frontchannel_logout_uri
          : changes.frontchannelLogoutUri || null,
      saml:
        changes.saml === undefined
          ? current.saml
          : changes.saml
            ? checkSamlSettings(changes.saml, this.outboundAllowed)
            : null,
      sign_in_group:
        changes.signInGroup === undefined ? current.sign_in_group : checkGroup(changes.signInGroup),
      updated_at: this.clock.now(),
    };
    if (!row.name || row.name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    checkPolicy(row);
    checkFrontchannelUri(row);
    await this.#uniqueEntity(row);
    await this.storage.write(async (trx, changed) => {
      await this.store.update(trx, row);
      changed({ topic: "app", key: id });
      await this.audit.record(
        trx,
        changeEntry(by, row.updated_at, "app.update", null, id, { fields: Object.keys(changes) }),
      );
    });
    return toApp(row);
  }

  /** Issues a new app secret (the old one stops working at once); shown once. */
  async rotateSecret(id: string, by: Actor = CLI): Promise<string> {
    const { token } = mintSecret(SecretPrefix.appSecret);
    const now = this.clock.now();
    const found = await this.storage.write(async (trx, changed) => {
      changed({ topic: "app", key: id });
      const set = await this.store.setSecretHash(trx, id, hashSecret(token), now);
      if (set) await this.audit.record(trx, changeEntry(by, now, "app.secret_rotate", null, id));
      return set;
    });
    if (!found) throw new HandoffError("not_found", `no app ${id}`);
    return token;
  }

  /** The app whose id and secret these are, or null (same answer for unknown app and wrong secret). */
  async authenticate(id: string, secret: string): Promise<App | null> {
    const hit = await this.#cached(id);
    const ok = secretMatches(secret, hit?.secretHash ?? "0".repeat(64));
    return ok && hit?.secretHash ? hit.app : null;
  }

  /** The app and its secret's hash, for the OIDC client lookup (cached like `find`). */
  async findWithSecret(id: string): Promise<{ app: App; secretHash: string | null } | null> {
    return (await this.#cached(id)) ?? null;
  }

  async list(): Promise<App[]> {
    return (await this.store.list()).map(toApp);
  }

  async get(id: string): Promise<App> {
    return toApp(await this.#row(id));
  }

  /**
   * The app registered under a product name (the legacy shapes pick apps by product: Banckle's
   * `product`, Xoxoday's storefront); the oldest one when several claim it. Cached briefly.
   */
  async findByProduct(product: string): Promise<App | null> {
    return (await this.#allApps()).find((app) => app.products.includes(product)) ?? null;
  }

  /** The app that is the SAML service provider with this entity ID, or null. Cached briefly. */
  async findBySamlEntity(entityId: string): Promise<App | null> {
    return (await this.#allApps()).find((app) => app.saml?.entityId === entityId) ?? null;
  }

  /** The app and the others of its sign-in group: what one of their sessions opens. */
  async groupOf(app: Pick<App, "id" | "signInGroup">): Promise<string[]> {
    if (app.signInGroup === null) return [app.id];
    return (await this.#allApps())
      .filter((a) => a.signInGroup === app.signInGroup)
      .map((a) => a.id);
  }

  async #allApps(): Promise<App[]> {
    let apps = this.#all.get("all");
    if (!apps) {
      apps = await this.list();
      this.#all.set("all", apps);
    }
    return apps;
  }

  /**
   * A back-channel logout URI is called by Handoff's own servers, so it passes the outbound
   * checks webhooks do: https, never a private, loopback or link-local address (unless the
   * operator allowed its range); the address is checked again at every connection.
   */
  #backchannelUri(uri: string | null | undefined): string | null {
    return uri ? checkOutboundUrl(uri, this.outboundAllowed, "backchannel_logout_uri") : null;
  }

  /** One app per SAML entity ID: an AuthnRequest's Issuer names exactly one. */
  async #uniqueEntity(row: AppRow): Promise<void> {
    if (!row.saml) return;
    const { entityId } = JSON.parse(row.saml) as SamlSettings;
    const other = (await this.list()).find(
      (app) => app.id !== row.id && app.saml?.entityId === entityId,
    );
    if (other) {
      throw new HandoffError(
        "invalid_request",
        `saml entity_id ${entityId} belongs to app ${other.id}`,
      );
    }
  }

  /** An app for the hot path (mint, redemption): cached for a short while; null when unknown. */
  async find(id: string): Promise<App | null> {
    return (await this.#cached(id))?.app ?? null;
  }

  /** The app as an object, parsed once per cache period rather than once per request. */
  async #cached(id: string): Promise<{ app: App; secretHash: string | null } | undefined> {
    const hit = this.#cache.get(id);
    if (hit) return hit;
    const row = await this.store.find(id);
    if (!row) return undefined;
    const entry = { app: toApp(row), secretHash: row.secret_hash };
    this.#cache.set(id, entry);
    return entry;
  }

  async #row(id: string): Promise<AppRow> {
    const row = await this.store.find(id);
    if (!row) throw new HandoffError("not_found", `no app ${id}`);
    return row;
  }
}
