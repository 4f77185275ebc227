// /metrics in Prometheus' text format (prom-client, one registry per app): requests by route and
// status with latencies, what the audit log records (mints, redemptions and refusals by reason),
// the outbox's and webhooks' backlog and the age of their oldest item, and the database pool.
// Labels are bounded: route patterns, never URLs; reasons from the catalogue; no user or partner.
import type { FastifyReply, FastifyRequest } from "fastify";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AuditEntry } from "../audit/store.js";
import type { Database } from "../db/database.js";

/** Work waiting in the background: how much, and since when the oldest has waited. */
export interface Backlog {
  name: string;
  read(): Promise<{ count: number; oldestAt: number | null }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<"method" | "route" | "status">;
  readonly #latency: Histogram<"method" | "route">;
  readonly #entries: Counter<"action" | "outcome">;
  /**
   * The series one request touches, by method, route and status: prom-client hashes a label set
   * on every call, a cost per request that this lookup avoids (labels are bounded, so is this).
   */
  readonly #series = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<"method" | "route"> }
  >();

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "handoff_http_requests_total",
      help: "Requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.#latency = new Histogram({
      name: "handoff_http_request_duration_seconds",
      help: "Time to answer, by method and route pattern",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#entries = new Counter({
      name: "handoff_audit_entries_total",
      help: "Audit entries written, by action and outcome: ticket.mint, ticket.redeem (ok, or the refusal's reason), session.end …",
      labelNames: ["action", "outcome"],
      registers,
    });
  }

  /** Counts one answered request (an onResponse hook). */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? "unmatched";
    const { method } = request;
    const status = reply.statusCode;
    const key = `${method} ${status} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        count: this.#requests.labels({ method, route, status: String(status) }),
        time: this.#latency.labels({ method, route }),
      };
      this.#series.set(key, series);
    }
    series.count.inc();
    series.time.observe(reply.elapsedTime / 1000);
  }

  /** The audit log's follower: counts each entry as it is written. */
  readonly recordEntry = async (_trx: unknown, entry: AuditEntry): Promise<void> => {
    this.#entries.inc({ action: entry.action, outcome: entry.outcome });
  };

  /** Gauges read at scrape time: the backlogs and the database pool. */
  watch(backlogs: Backlog[], database: Database): void {
    const registers = [this.registry];
    const read = () => Promise.all(backlogs.map(async (b) => ({ b, ...(await b.read()) })));
    new Gauge({
      name: "handoff_backlog_items",
      help: "Background work waiting (outbox messages, webhook deliveries)",
      labelNames: ["queue"],
      registers,
      async collect() {
        for (const { b, count } of await read()) this.set({ queue: b.name }, count);
      },
    });
    new Gauge({
      name: "handoff_backlog_oldest_age_seconds",
      help: "Age of the oldest waiting item (0 when none waits)",
      labelNames: ["queue"],
      registers,
      async collect() {
        for (const { b, oldestAt } of await read()) {
          this.set({ queue: b.name }, oldestAt === null ? 0 : (Date.now() - oldestAt) / 1000);
        }
      },
    });
    new Gauge({
      name: "handoff_db_pool_connections",
      help: "The database pool's connections by state (PostgreSQL)",
      labelNames: ["state"],
      registers,
      collect() {
        const pool = database.pool();
        if (!pool) return;
        this.set({ state: "total" }, pool.total);
        this.set({ state: "idle" }, pool.idle);
        this.set({ state: "waiting" }, pool.waiting);
      },
    });
  }
}
