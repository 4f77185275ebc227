// oidc-provider's storage on Handoff's database: one table (`oidc_models`) for every artefact
// oidc-provider persists, and the Client model read from the apps table (an app with redirect
// URIs and a secret is a client; nothing about clients is stored twice).
import { type Adapter, type AdapterPayload, errors } from "oidc-provider";
import type { AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";

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
    // replaced to hash what the client presents (src/oidc/provider.ts).
    client_secret: secretHash,
    redirect_uris: app.oidc.redirectUris,
    post_logout_redirect_uris: app.oidc.postLogoutRedirectUris,
    grant_types: app.oidc.refreshTokens
      ? ["authorization_code", "refresh_token"]
      : ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  };
}

class ClientAdapter implements Adapter {
  constructor(private readonly apps: AppService) {}
  find(id: string) {
    return clientMetadata(this.apps, id);
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

/** The models a grant owns: revoking the grant removes them (never sessions or interactions). */
const GRANTABLE = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

// Every code exchange and token use runs these: compiled once per dialect (src/db/prepared.ts).
const findById = new PreparedQuery<
  { payload: string; expires_at: number | null; consumed_at: number | null },
  "model" | "id"
>((db, p) =>
  db
    .selectFrom("oidc_models")
    .select(["payload", "expires_at", "consumed_at"])
    .where("model", "=", p("model"))
    .where("id", "=", p("id")),
);

const upsertRow = new PreparedQuery<
  unknown,
  "model" | "id" | "payload" | "grant_id" | "uid" | "user_code" | "expires_at"
>((db, p) =>
  db
    .insertInto("oidc_models")
    .values({
      model: p("model"),
      id: p("id"),
      payload: p("payload"),
      grant_id: p("grant_id"),
      uid: p("uid"),
      user_code: p("user_code"),
      expires_at: p<number>("expires_at"),
      consumed_at: null,
    })
    .onConflict((oc) =>
      oc.columns(["model", "id"]).doUpdateSet((eb) => ({
        payload: eb.ref("excluded.payload"),
        grant_id: eb.ref("excluded.grant_id"),
        uid: eb.ref("excluded.uid"),
        user_code: eb.ref("excluded.user_code"),
        expires_at: eb.ref("excluded.expires_at"),
      })),
    ),
);

const consumeRow = new PreparedQuery<unknown, "model" | "id" | "now">((db, p) =>
  db
    .updateTable("oidc_models")
    .set({ consumed_at: p<number>("now") })
    .where("model", "=", p("model"))
    .where("id", "=", p("id"))
    .where("consumed_at", "is", null),
);

class ModelAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const values = {
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grant_id:
        GRANTABLE.has(this.model) && typeof payload.grantId === "string" ? payload.grantId : null,
      uid: typeof payload.uid === "string" ? payload.uid : null,
      user_code: typeof payload.userCode === "string" ? payload.userCode : null,
      expires_at: expiresIn ? this.clock.now() + expiresIn * 1000 : null,
    };
    await this.database.write((trx) => upsertRow.execute(trx, values));
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const { rows } = await findById.execute(this.database.db, { model: this.model, id });
    return this.#payload(rows[0]);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy("uid", uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy("user_code", userCode);
  }

  async #findBy(column: "uid" | "user_code", value: string): Promise<AdapterPayload | undefined> {
    const row = await this.database.db
      .selectFrom("oidc_models")
      .select(["payload", "expires_at", "consumed_at"])
      .where("model", "=", this.model)
      .where(column, "=", value)
      .executeTakeFirst();
    return this.#payload(row);
  }

  #payload(
    row: { payload: string; expires_at: number | null; consumed_at: number | null } | undefined,
  ): AdapterPayload | undefined {
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
    const won = await this.database.write(async (trx) => {
      const result = await consumeRow.execute(trx, {
        model: this.model,
        id,
        now: this.clock.now(),
      });
      if (result.numAffectedRows > 0) return true;
      const row = await trx
        .selectFrom("oidc_models")
        .select("grant_id")
        .where("model", "=", this.model)
        .where("id", "=", id)
        .executeTakeFirst();
      if (row?.grant_id) {
        await trx.deleteFrom("oidc_models").where("grant_id", "=", row.grant_id).execute();
        await trx
          .deleteFrom("oidc_models")
          .where("model", "=", "Grant")
          .where("id", "=", row.grant_id)
          .execute();
      }
      return false;
    });
    if (!won) throw new errors.InvalidGrant(`${this.model} already used`);
  }

  async destroy(id: string): Promise<void> {
    await this.database.write((trx) =>
      trx.deleteFrom("oidc_models").where("model", "=", this.model).where("id", "=", id).execute(),
    );
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Every token of the grant goes, whatever its model: codes, access and refresh tokens (only
    // grantable models record a grant id, so an interaction that mentions it stays).
    await this.database.write((trx) =>
      trx.deleteFrom("oidc_models").where("grant_id", "=", grantId).execute(),
    );
  }
}

/** The adapter factory oidc-provider calls once per model name. */
export function adapterFactory(
  database: Database,
  clock: Clock,
  apps: AppService,
): (model: string) => Adapter {
  return (model) =>
    model === "Client" ? new ClientAdapter(apps) : new ModelAdapter(model, database, clock);
}
