// oidc-provider's storage on Handoff's database: one table (`oidc_models`) for every artefact
// oidc-provider persists, and the Client model read from the apps table (an app with redirect
// URIs and a secret is a client; nothing about clients is stored twice).
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import { hashSecret } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import type { ModelRow, OidcStore } from "./store.js";

/** Client metadata of our own: whether the client must use PKCE (src/oidc/configuration.ts). */
export const PKCE_REQUIRED = "handoff_pkce_required";
/**
 * Client metadata of our own: the app registered a front-channel logout URI (oidc-provider 9 has
 * no Front-Channel Logout; Handoff renders the iframes, src/oidc/frontchannel.ts), so its ID tokens
 * carry the `sid` the iframe's URL names (provider.ts).
 */
export const FRONTCHANNEL_LOGOUT = "handoff_frontchannel_logout";

/** The one place that turns an app into client metadata (client id = app id). */
export async function clientMetadata(
  apps: AppService,
  id: string,
): Promise<AdapterPayload | undefined> {
  const found = await apps.findWithSecret(id);
  if (!found?.secretHash || found.app.oidc.redirectUris.length === 0) return undefined;
  const { app, secretHash } = found;
  return {
    client_id: app.id,
    client_name: app.name,
    // The hash of the app secret: the secret itself is never stored. `compareClientSecret` is
    // replaced to hash what the client presents (src/oidc/configuration.ts).
    client_secret: secretHash,
    redirect_uris: app.oidc.redirectUris,
    post_logout_redirect_uris: app.oidc.postLogoutRedirectUris,
    grant_types: app.oidc.refreshTokens
      ? ["authorization_code", "refresh_token"]
      : ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    [PKCE_REQUIRED]: app.oidc.pkceRequired,
    [FRONTCHANNEL_LOGOUT]: app.oidc.frontchannelLogoutUri !== null,
    // Back-Channel Logout: Handoff sends the tokens itself (src/oidc/backchannel.ts). A client
    // with a URI gets `sid` in its ID tokens and logout tokens, which any RP may ignore.
    ...(app.oidc.backchannelLogoutUri
      ? {
          backchannel_logout_uri: app.oidc.backchannelLogoutUri,
          backchannel_logout_session_required: true,
        }
      : {}),
  };
}

/** No stored id holds a NUL (PostgreSQL refuses one in a query): such an id is simply unknown. */
const impossible = (id: string) => id.includes("\u0000");

class ClientAdapter implements Adapter {
  constructor(private readonly apps: AppService) {}
  async find(id: string) {
    return impossible(id) ? undefined : clientMetadata(this.apps, id);
  }
  async upsert(): Promise<void> {
    throw new Error("clients are apps: manage them with `handoff app`");
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/**
 * The models a grant owns: revoking the grant removes them (never sessions or interactions).
 * Their ids are the codes and tokens themselves, so only a hash of the id is stored (SECURITY
 * row 49): the row is found by hashing what the client presents, and the `jti` copy of the id in
 * the payload is dropped before storing and put back from the presented value.
 */
export const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

class ModelAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly storage: Storage,
    private readonly store: OidcStore,
    private readonly clock: Clock,
  ) {
    this.#hashed = GRANTABLE.has(model);
  }

  readonly #hashed: boolean;

  /** The row id of an artefact: a hash for codes and tokens, the id itself otherwise. */
  #key(id: string): string {
    return this.#hashed ? hashSecret(id) : id;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const stored = this.#hashed ? { ...payload, jti: undefined } : payload;
    const values = {
      model: this.model,
      id: this.#key(id),
      payload: JSON.stringify(stored),
      grant_id:
        GRANTABLE.has(this.model) && typeof payload.grantId === "string" ? payload.grantId : null,
      uid: typeof payload.uid === "string" ? payload.uid : null,
      user_code: typeof payload.userCode === "string" ? payload.userCode : null,
      expires_at: expiresIn ? this.clock.now() + expiresIn * 1000 : null,
    };
    const sid = this.model === "AuthorizationCode" ? payload.sid : undefined;
    await this.storage.write(async (trx) => {
      await this.store.upsert(trx, values);
      // The sid the code's ID token will carry: a back-channel logout token names it again.
      if (typeof sid === "string" && typeof payload.grantId === "string")
        await this.store.recordSid(trx, payload.grantId, sid);
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (impossible(id)) return undefined;
    const payload = this.#payload(await this.store.find(this.model, this.#key(id)));
    if (payload && this.#hashed) payload.jti = id;
    return payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy("uid", uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy("user_code", userCode);
  }

  async #findBy(column: "uid" | "user_code", value: string): Promise<AdapterPayload | undefined> {
    if (impossible(value)) return undefined;
    return this.#payload(await this.store.findBy(this.model, column, value));
  }

  #payload(row: ModelRow | undefined): AdapterPayload | undefined {
    if (!row || (row.expires_at !== null && row.expires_at <= this.clock.now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = Math.floor(row.consumed_at / 1000);
    return payload;
  }

  /**
   * Marks a code or refresh token used: one conditional UPDATE, so of two concurrent uses exactly
   * one wins. The loser learns it here (oidc-provider's own `consumed` check reads before it
   * writes) and everything of the grant goes: its tokens and the grant itself.
   */
  async consume(id: string): Promise<void> {
    if (impossible(id)) throw new errors.InvalidGrant(`${this.model} not found`);
    const now = this.clock.now();
    const won = await this.storage.write(async (trx) => {
      if (await this.store.consume(trx, this.model, this.#key(id), now)) return true;
      await this.store.revokeGrantOf(trx, this.model, this.#key(id));
      return false;
    });
    if (!won) throw new errors.InvalidGrant(`${this.model} already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.storage.write((trx) => this.store.destroy(trx, this.model, this.#key(id)));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Every token of the grant goes, whatever its model: codes, access and refresh tokens (only
    // grantable models record a grant id, so an interaction that mentions it stays).
    await this.storage.write((trx) => this.store.revokeGrant(trx, grantId));
  }
}

/** The adapter factory oidc-provider calls once per model name. */
export function adapterFactory(
  storage: Storage,
  store: OidcStore,
  clock: Clock,
  apps: AppService,
): (model: string) => Adapter {
  return (model) =>
    model === "Client" ? new ClientAdapter(apps) : new ModelAdapter(model, storage, store, clock);
}
