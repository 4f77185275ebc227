// Event webhooks: partners (and operators, for every partner) subscribe endpoints to events; each
// event is delivered to each endpoint by a worker off the request path, signed with Standard
// Webhooks (`webhook-id` is the event's id: a receiver drops what it has seen), retried with
// backoff (5 s, doubling, at most an hour apart) for 3 days, then marked failed. Deliveries can
// be listed and replayed. Endpoints pass the same address checks as call-backs.
import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import { Webhook } from "standardwebhooks";
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import { deliverDue, outcomeOf, type TryOutcome } from "../delivery/attempts.js";
import { checkOutboundUrl, OutboundFailure, postOutbound } from "../delivery/outbound.js";
import type { Cidr } from "../http/cidr.js";
import { HandoffError } from "../http/errors.js";
import { startWorker, type Worker } from "../jobs/worker.js";
import { EVENT_TYPES } from "./events.js";
import type { Due, EndpointRow, WebhookStore } from "./store.js";

export const DELIVERY_RULES = {
  firstRetryMs: 5000,
  maxBackoffMs: 3600_000,
  giveUpAfterMs: 3 * 86_400_000,
  timeoutMs: 10_000,
  batch: 20,
  /** Longer than a batch can take (each delivery in turn, to its timeout), with a margin. */
  claimMs: 20 * 10_000 + 60_000,
} as const;

const secretContext = (id: string) => `webhook-endpoint:${id}`;

export function endpointView(row: EndpointRow) {
  return {
    id: row.id,
    partner_id: row.partner_id,
    url: row.url,
    events: row.events.split(",").filter(Boolean),
    created_at: new Date(Number(row.created_at)).toISOString(),
  };
}

export class WebhookService {
  constructor(
    private readonly storage: Storage,
    private readonly store: WebhookStore,
    private readonly clock: Clock,
    private readonly sealer: Sealer,
    private readonly allowed: Cidr[],
    private readonly audit: AuditLog,
  ) {}

  /** Subscribes an endpoint (partnerId null: an operator's, for every partner); its secret once. */
  async createEndpoint(
    partnerId: string | null,
    input: { url: string; events: string[] },
    by: Actor = CLI,
  ): Promise<{ endpoint: ReturnType<typeof endpointView>; secret: string }> {
    const url = checkOutboundUrl(input.url, this.allowed, "url");
    const unknown = input.events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
    if (input.events.length === 0 || unknown.length > 0) {
      throw new HandoffError(
        "invalid_request",
        `events: one or more of ${EVENT_TYPES.join(", ")}${unknown.length ? ` (not ${unknown.join(", ")})` : ""}`,
      );
    }
    const id = newId("whe");
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const now = this.clock.now();
    const row: EndpointRow = {
      id,
      partner_id: partnerId,
      url,
      events: `,${[...new Set(input.events)].join(",")},`,
      secret_sealed: this.sealer.seal(secret, secretContext(id)),
      created_at: now,
    };
    await this.storage.write(async (trx, changed) => {
      await this.store.addEndpoint(trx, row);
      changed({ topic: "webhooks" });
      await this.audit.record(trx, changeEntry(by, now, "webhook.create", partnerId, id, { url }));
    });
    return { endpoint: endpointView(row), secret };
  }

  async endpoints(partnerId: string | null) {
    return (await this.store.endpoints(partnerId)).map(endpointView);
  }

  /** The endpoint, if it is this partner's (null: an operator's). */
  async endpointOf(partnerId: string | null, id: string): Promise<EndpointRow> {
    const row = await this.store.endpoint(id);
    if (!row || row.partner_id !== partnerId)
      throw new HandoffError("not_found", `no endpoint ${id}`);
    return row;
  }

  async removeEndpoint(partnerId: string | null, id: string, by: Actor = CLI): Promise<void> {
    await this.endpointOf(partnerId, id);
    const now = this.clock.now();
    await this.storage.write(async (trx, changed) => {
      await this.store.removeEndpoint(trx, id);
      changed({ topic: "webhooks" });
      await this.audit.record(trx, changeEntry(by, now, "webhook.remove", partnerId, id));
    });
  }

  async deliveries(partnerIds: string[] | null, limit = 50) {
    const rows = await this.store.deliveries(partnerIds, limit);
    const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return rows.map((row) => ({
      id: row.id,
      event_id: row.event_id,
      type: row.type,
      endpoint_id: row.endpoint_id,
      partner_id: row.partner_id,
      state: row.state,
      attempts: Number(row.attempts),
      // When a pending delivery is tried next; null once it is delivered or given up.
      next_attempt_at: row.state === "pending" ? iso(Number(row.next_attempt_at)) : null,
      last_status: row.last_status,
      last_error: row.last_error,
      created_at: iso(Number(row.created_at)),
      finished_at: iso(row.finished_at === null ? null : Number(row.finished_at)),
    }));
  }

  /** Sends a delivery again (the partner lost it, or its endpoint was down for 3 days). */
  async replay(partnerIds: string[] | null, id: string, by: Actor = CLI): Promise<void> {
    const row = await this.store.delivery(id);
    const endpoint = row && (await this.store.endpoint(row.endpoint_id));
    if (
      !row ||
      !endpoint ||
      (partnerIds !== null && !partnerIds.includes(endpoint.partner_id ?? ""))
    ) {
      throw new HandoffError("not_found", `no delivery ${id}`);
    }
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      await this.store.replay(trx, id, now);
      await this.audit.record(trx, changeEntry(by, now, "webhook.replay", row.partner_id, id));
    });
  }

  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  backlog() {
    return this.store.backlog();
  }

  /** Claims what is due and delivers it; answers how many were delivered. */
  deliver(log: FastifyBaseLogger): Promise<number> {
    return deliverDue(this.storage, this.store, DELIVERY_RULES, this.clock.now(), (item) =>
      this.#send(item, log),
    );
  }

  async #send(item: Due, log: FastifyBaseLogger): Promise<TryOutcome> {
    const secret = this.sealer.open(item.secret_sealed, secretContext(item.endpoint_id));
    const at = new Date(this.clock.now());
    let status: number | null = null;
    let error: string | null = null;
    try {
      const answer = await postOutbound(
        item.url,
        {
          "content-type": "application/json",
          "webhook-id": item.event_id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": new Webhook(secret).sign(item.event_id, at, item.payload),
        },
        item.payload,
        { timeoutMs: DELIVERY_RULES.timeoutMs, allowed: this.allowed },
      );
      status = answer.status;
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (failure) {
      if (!(failure instanceof OutboundFailure)) throw failure;
      error = failure.message;
    }
    const now = this.clock.now();
    // Tried for 3 days since the event (or its replay), a failure is the last.
    const final = now - item.created_at >= DELIVERY_RULES.giveUpAfterMs;
    const outcome = outcomeOf(DELIVERY_RULES, item.attempts, { status, error, final }, now);
    if (outcome.state !== "delivered") {
      log.info(
        { delivery: item.id, attempts: outcome.attempts, status, err: error },
        "webhook not delivered",
      );
    }
    return outcome;
  }
}

/** Delivers what is due every `intervalMs` (each process; claims keep them apart). */
export function startWebhookWorker(
  webhooks: WebhookService,
  log: FastifyBaseLogger,
  intervalMs = 2000,
): Worker {
  return startWorker("webhook run", () => webhooks.deliver(log), log, intervalMs);
}
