// The webhook_endpoints, webhook_events and webhook_deliveries tables. The only file with their SQL.
import type { Selectable } from "kysely";
import { newId } from "../crypto/secrets.js";
import type { Tx } from "../db/database.js";
import { PreparedQuery } from "../db/prepared.js";
import { deleteSelected } from "../db/prune.js";
import type { WebhookDeliveryTable, WebhookEndpointTable } from "../db/schema.js";
import { type Claimed, DeliveryQueue, newDelivery } from "../delivery/attempts.js";
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
        ...newDelivery(now),
      })),
    )
    .execute();
}

/** A delivery to send, as a worker claimed it, with its endpoint and its event's body. */
export interface Due extends Claimed {
  event_id: string;
  /** When the event was recorded (or the delivery replayed): retries stop 3 days after. */
  created_at: number;
  url: string;
  secret_sealed: string;
  endpoint_id: string;
  payload: string;
}

/** The webhook tables; the deliveries are a queue of src/delivery/attempts.ts. */
export class WebhookStore extends DeliveryQueue<"webhook_deliveries"> {
  protected readonly table = "webhook_deliveries";

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

  /** Claims due deliveries for `claimMs`, with their endpoint and their event's body. */
  claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<Due[]> {
    return this.claimWith(trx, now, limit, claimMs, (due) =>
      due
        .innerJoin("webhook_endpoints as e", "e.id", "webhook_deliveries.endpoint_id")
        .innerJoin("webhook_events as v", "v.id", "webhook_deliveries.event_id")
        .select([
          "webhook_deliveries.event_id",
          "webhook_deliveries.created_at",
          "e.url",
          "e.secret_sealed",
          "e.id as endpoint_id",
          "v.payload",
        ]),
    );
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
