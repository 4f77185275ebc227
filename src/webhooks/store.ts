// The webhook_endpoints, webhook_events and webhook_deliveries tables. The only file with their SQL.
import type { Selectable } from "kysely";
import { newId } from "../crypto/secrets.js";
import { claimDue } from "../db/claim.js";
import type { DialectName, Storage, Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { WebhookDeliveryTable, WebhookEndpointTable } from "../db/schema.js";
import type { NewEvent } from "./events.js";

export type EndpointRow = Selectable<WebhookEndpointTable>;
export type DeliveryRow = Selectable<WebhookDeliveryTable>;

/** Runs with every audited change that is an event: indexed, and usually finds nothing. */
const listeners = new PreparedQuery<{ id: string }, "partner_id" | "pattern">((db, p) =>
  db
    .selectFrom("webhook_endpoints")
    .select("id")
    .where((eb) => eb.or([eb("partner_id", "=", p("partner_id")), eb("partner_id", "is", null)]))
    .where("events", "like", p("pattern")),
);

/**
 * Writes an event and a delivery for each endpoint listening to it, inside the transaction of
 * the change it reports. Nothing is written when nobody listens.
 */
export async function recordEvent(trx: Tx, event: NewEvent, now: number): Promise<void> {
  const { rows } = await listeners.execute(trx, {
    partner_id: event.partnerId,
    pattern: `%,${event.type},%`,
  });
  if (rows.length === 0) return;
  const id = newId("evt");
  const payload = JSON.stringify({
    type: event.type,
    timestamp: new Date(now).toISOString(),
    data: { partner_id: event.partnerId, ...event.data },
  });
  await trx
    .insertInto("webhook_events")
    .values({ id, type: event.type, partner_id: event.partnerId, payload, created_at: now })
    .execute();
  await trx
    .insertInto("webhook_deliveries")
    .values(
      rows.map((row) => ({
        id: newId("whd"),
        event_id: id,
        endpoint_id: row.id,
        partner_id: event.partnerId,
        state: "pending" as const,
        next_attempt_at: now,
        claimed_until: null,
        last_status: null,
        last_error: null,
        created_at: now,
        finished_at: null,
      })),
    )
    .execute();
}

export interface Due {
  id: string;
  event_id: string;
  attempts: number;
  created_at: number;
  url: string;
  secret_sealed: string;
  endpoint_id: string;
  payload: string;
  /** The claim taken on it: finishing needs the same (src/webhooks/service.ts). */
  claimedUntil: number;
}

export class WebhookStore {
  constructor(
    private readonly storage: Storage,
    private readonly dialect: DialectName,
  ) {}

  async addEndpoint(trx: Tx, row: EndpointRow): Promise<void> {
    await trx.insertInto("webhook_endpoints").values(row).execute();
  }

  /** Endpoints of these partners (null: the operators' own). */
  endpoints(partnerId: string | null): Promise<EndpointRow[]> {
    return this.storage.read
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("partner_id", partnerId === null ? "is" : "=", partnerId)
      .orderBy("created_at")
      .execute();
  }

  endpoint(id: string): Promise<EndpointRow | undefined> {
    return this.storage.read
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
  }

  async removeEndpoint(trx: Tx, id: string): Promise<boolean> {
    const result = await trx
      .deleteFrom("webhook_endpoints")
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Claims due deliveries for `claimMs`: on PostgreSQL with FOR UPDATE SKIP LOCKED, so each is
   * taken by one node; SQLite has one writer, so its claiming update is the lock.
   */
  async claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<Due[]> {
    const select = trx
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .innerJoin("webhook_events as v", "v.id", "d.event_id")
      .select([
        "d.id",
        "d.event_id",
        "d.attempts",
        "d.created_at",
        "e.url",
        "e.secret_sealed",
        "e.id as endpoint_id",
        "v.payload",
      ])
      .where("d.state", "=", "pending")
      .where("d.next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("d.claimed_until", "is", null), eb("d.claimed_until", "<", now)]))
      .orderBy("d.next_attempt_at")
      .limit(limit);
    const due = await claimDue(trx, this.dialect, "webhook_deliveries", select, now + claimMs, "d");
    return due.map((d) => ({
      ...d,
      attempts: Number(d.attempts),
      created_at: Number(d.created_at),
      claimedUntil: now + claimMs,
    }));
  }

  async finish(
    trx: Tx,
    id: string,
    /** The claim this worker holds: a replay or another node's claim since wins. */
    claimedUntil: number,
    outcome: {
      state: "pending" | "delivered" | "failed";
      attempts: number;
      status: number | null;
      error: string | null;
      next: number;
      now: number;
    },
  ): Promise<void> {
    await trx
      .updateTable("webhook_deliveries")
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        last_status: outcome.status,
        last_error: outcome.error,
        next_attempt_at: outcome.next,
        claimed_until: null,
        finished_at: outcome.state === "pending" ? null : outcome.now,
      })
      .where("id", "=", id)
      .where("claimed_until", "=", claimedUntil)
      .execute();
  }

  /** The newest deliveries to these partners' endpoints (null: every one), with their event. */
  deliveries(partnerIds: string[] | null, limit: number) {
    let query = this.storage.read
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_events as v", "v.id", "d.event_id")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .select([
        "d.id",
        "d.event_id",
        "d.endpoint_id",
        "d.partner_id",
        "d.state",
        "d.attempts",
        "d.next_attempt_at",
        "d.last_status",
        "d.last_error",
        "d.created_at",
        "d.finished_at",
        "v.type",
      ])
      .orderBy("d.created_at", "desc")
      .limit(limit);
    // A partner sees the deliveries to its own endpoints, not those to the operators'.
    if (partnerIds !== null) {
      query = query.where("e.partner_id", "in", partnerIds.length ? partnerIds : [""]);
    }
    return query.execute();
  }

  delivery(id: string): Promise<DeliveryRow | undefined> {
    return this.storage.read
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** Sends a delivery again from now: pending, its attempts counted afresh. */
  async replay(trx: Tx, id: string, now: number): Promise<void> {
    await trx
      .updateTable("webhook_deliveries")
      .set({
        state: "pending",
        attempts: 0,
        next_attempt_at: now,
        claimed_until: null,
        finished_at: null,
        created_at: now,
      })
      .where("id", "=", id)
      .execute();
  }

  /** Deletes up to `limit` finished deliveries (and their events when none is left) before `before`. */
  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  async backlog(): Promise<{ count: number; oldestAt: number | null }> {
    const row = await this.storage.read
      .selectFrom("webhook_deliveries")
      .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("created_at").as("oldest")])
      .where("state", "=", "pending")
      .executeTakeFirst();
    return {
      count: Number(row?.count ?? 0),
      oldestAt: row?.oldest == null ? null : Number(row.oldest),
    };
  }

  static async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("webhook_events as v")
      .select("v.id")
      .where("v.created_at", "<", before)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("webhook_deliveries as d")
              .select("d.id")
              .whereRef("d.event_id", "=", "v.id")
              .where("d.state", "=", "pending"),
          ),
        ),
      )
      .limit(limit);
    return deleteSelected(trx, "webhook_events", "id", selected);
  }
}
