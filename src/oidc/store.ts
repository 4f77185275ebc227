// oidc-provider's artefacts (`oidc_models`: sessions, codes, tokens, grants, interactions), the
// link from each grant to the Handoff session that made it, and the Back-Channel Logout
// deliveries owed when such a session ends. The only file with OIDC's SQL.
import { sql } from "kysely";
import { newId } from "../crypto/secrets.js";
import type { Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { OidcModelTable } from "../db/schema.js";
import { type Claimed, DeliveryQueue, newDelivery, pruneFinished } from "../delivery/attempts.js";

export type ModelRow = Pick<OidcModelTable, "payload" | "expires_at" | "consumed_at">;

export type NewModelRow = Omit<OidcModelTable, "consumed_at">;

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

export class OidcStore {
  constructor(private readonly storage: Storage) {}

  async upsert(trx: Tx, row: NewModelRow): Promise<void> {
    await upsertRow.execute(trx, row);
  }

  async find(model: string, id: string): Promise<ModelRow | undefined> {
    return (await findById.execute(this.storage.read, { model, id })).rows[0];
  }

  findBy(model: string, column: "uid" | "user_code", value: string): Promise<ModelRow | undefined> {
    return this.storage.read
      .selectFrom("oidc_models")
      .select(["payload", "expires_at", "consumed_at"])
      .where("model", "=", model)
      .where(column, "=", value)
      .executeTakeFirst();
  }

  /** Marks a code or token consumed, only if it was not: true for exactly one of racing callers. */
  async consume(trx: Tx, model: string, id: string, now: number): Promise<boolean> {
    return (await consumeRow.execute(trx, { model, id, now })).numAffectedRows > 0;
  }

  /** Every artefact of the grant that holds this one, and the grant itself, go. */
  async revokeGrantOf(trx: Tx, model: string, id: string): Promise<void> {
    const row = await trx
      .selectFrom("oidc_models")
      .select("grant_id")
      .where("model", "=", model)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row?.grant_id) return;
    await this.revokeGrant(trx, row.grant_id);
    await trx
      .deleteFrom("oidc_models")
      .where("model", "=", "Grant")
      .where("id", "=", row.grant_id)
      .execute();
  }

  async destroy(trx: Tx, model: string, id: string): Promise<void> {
    await trx.deleteFrom("oidc_models").where("model", "=", model).where("id", "=", id).execute();
  }

  /** Every token of the grant, whatever its model (only grantable models record a grant id). */
  async revokeGrant(trx: Tx, grantId: string): Promise<void> {
    await trx.deleteFrom("oidc_models").where("grant_id", "=", grantId).execute();
  }

  async linkGrant(
    trx: Tx,
    link: { grantId: string; sessionId: string; clientId: string; expiresAt: number },
  ): Promise<void> {
    await trx
      .insertInto("oidc_grant_sessions")
      .values({
        grant_id: link.grantId,
        session_id: link.sessionId,
        client_id: link.clientId,
        sid: null,
        expires_at: link.expiresAt,
      })
      .execute();
  }

  /**
   * Remembers the `sid` a grant's ID tokens carry (oidc-provider puts it in the authorization
   * code; one per provider session and client, so the first one stays).
   */
  async recordSid(trx: Tx, grantId: string, sid: string): Promise<void> {
    await trx
      .updateTable("oidc_grant_sessions")
      .set({ sid })
      .where("grant_id", "=", grantId)
      .where("sid", "is", null)
      .execute();
  }

  /** Which Handoff session made an OIDC grant. */
  async grantSession(grantId: string): Promise<string | null> {
    const row = await this.storage.read
      .selectFrom("oidc_grant_sessions")
      .select("session_id")
      .where("grant_id", "=", grantId)
      .executeTakeFirst();
    return row?.session_id ?? null;
  }

  /**
   * The clients a Handoff session made grants for that registered a front-channel logout URI and
   * no back-channel one (a client with both hears by back channel only), once per client and
   * `sid`. Read when the session ends, before the grant links may be pruned.
   */
  async frontchannelClients(sessionId: string): Promise<{ client: string; sid: string | null }[]> {
    const rows = await this.storage.read
      .selectFrom("oidc_grant_sessions as g")
      .innerJoin("apps as a", "a.id", "g.client_id")
      .select(["g.client_id", "g.sid"])
      .distinct()
      .where("g.session_id", "=", sessionId)
      .where("a.oidc_frontchannel_logout_uri", "is not", null)
      .where("a.oidc_backchannel_logout_uri", "is", null)
      .orderBy("g.client_id")
      .orderBy("g.sid")
      .execute();
    return rows.map((row) => ({ client: row.client_id as string, sid: row.sid }));
  }

  /** Deletes up to `limit` expired artefacts, then up to `limit` expired grant links. */
  async prune(trx: Tx, now: number, limit: number): Promise<number> {
    const models = trx
      .selectFrom("oidc_models")
      .select(["model", "id"])
      .where("expires_at", "<", now)
      .limit(limit);
    const links = trx
      .selectFrom("oidc_grant_sessions")
      .select("grant_id")
      .where("expires_at", "<", now)
      .limit(limit);
    return (
      (await deleteSelected(trx, "oidc_models", sql`(model, id)`, models)) +
      (await deleteSelected(trx, "oidc_grant_sessions", "grant_id", links))
    );
  }
}

/** How many session ids one query names (SQLite binds at most 32 766 parameters). */
const IDS_PER_QUERY = 500;

/**
 * Writes, in the transaction that ends these Handoff sessions, one Back-Channel Logout delivery
 * for each client that registered a logout URI and holds a grant one of them made: one per
 * (session, client, sid), whatever the number of grants, so a client hears of a session once.
 */
export async function recordBackchannelLogouts(
  trx: Tx,
  sessionIds: readonly string[],
  now: number,
): Promise<void> {
  for (let at = 0; at < sessionIds.length; at += IDS_PER_QUERY) {
    const ids = sessionIds.slice(at, at + IDS_PER_QUERY);
    const owed = await trx
      .selectFrom("oidc_grant_sessions as g")
      .innerJoin("sessions as s", "s.id", "g.session_id")
      .innerJoin("apps as a", "a.id", "g.client_id")
      .select(["g.session_id", "g.client_id", "g.sid", "s.user_id"])
      .where("g.session_id", "in", ids)
      .where("a.oidc_backchannel_logout_uri", "is not", null)
      .execute();
    const once = new Map<string, (typeof owed)[number]>();
    for (const row of owed) once.set(`${row.session_id} ${row.client_id} ${row.sid ?? ""}`, row);
    if (once.size === 0) continue;
    await trx
      .insertInto("oidc_logout_deliveries")
      .values(
        [...once.values()].map((row) => ({
          id: newId("bcl"),
          session_id: row.session_id,
          client_id: row.client_id as string,
          sub: row.user_id,
          sid: row.sid ?? "",
          ...newDelivery(now),
        })),
      )
      .onConflict((oc) => oc.columns(["session_id", "client_id", "sid"]).doNothing())
      .execute();
  }
}

/** A logout token to send, as a worker claimed it. */
export interface DueLogout extends Claimed {
  client_id: string;
  sub: string;
  sid: string;
}

/** The back-channel logout deliveries' table (src/delivery/attempts.ts). */
export class LogoutDeliveryStore extends DeliveryQueue<"oidc_logout_deliveries"> {
  protected readonly table = "oidc_logout_deliveries";

  /** Claims due deliveries for `claimMs`, with what a logout token names. */
  claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<DueLogout[]> {
    return this.claimWith(trx, now, limit, claimMs, (due) =>
      due.select(["client_id", "sub", "sid"]),
    );
  }

  /** Deletes up to `limit` deliveries finished (delivered or given up) before `before`. */
  static prune(trx: Tx, before: number, limit: number): Promise<number> {
    return pruneFinished(trx, "oidc_logout_deliveries", before, limit);
  }
}
