// Operations: liveness (the process is up), readiness (it should get traffic), and the public
// signing keys.
import type { FastifyInstance } from "fastify";
import { hashSecret, secretMatches } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import type { KeyStore } from "../keys/service.js";
import type { Metrics } from "./metrics.js";

/** What this module uses. */
export interface OpsRouteDeps {
  database: Database;
  keys: KeyStore;
  /** True once the process is draining (SIGTERM): not ready, so the balancer sends no more. */
  draining: () => boolean;
  /** /metrics, served only with a token (HANDOFF_METRICS_TOKEN); null: no /metrics. */
  metrics: { metrics: Metrics; token: string } | null;
}

type Deps = OpsRouteDeps;

const READY_TIMEOUT_MS = 2000;

/** Prometheus' scrape, for the operators: only with `Authorization: Bearer HANDOFF_METRICS_TOKEN`. */
function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string): void {
  const expected = hashSecret(token);
  app.get(
    "/metrics",
    {
      schema: { tags: ["ops"], summary: "Metrics in Prometheus' text format (a bearer token)" },
      logLevel: "warn",
    },
    async (request, reply) => {
      const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
      if (!presented || !secretMatches(presented, expected)) {
        return reply
          .status(401)
          .header("www-authenticate", 'Bearer realm="handoff-metrics"')
          .send({ status: "unauthorized" });
      }
      reply.header("content-type", metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}

export async function opsRoutes(app: FastifyInstance, services: Deps): Promise<void> {
  if (services.metrics) metricsRoute(app, services.metrics.metrics, services.metrics.token);
  app.get(
    "/healthz",
    { schema: { tags: ["ops"], summary: "The process is up" }, logLevel: "warn" },
    async () => ({
      status: "ok",
    }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["ops"],
        summary: "Ready for traffic: not draining, and the database answers",
      },
      logLevel: "warn",
    },
    async (request, reply) => {
      if (services.draining()) {
        return reply.status(503).header("retry-after", "5").send({ status: "draining" });
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          services.database.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error("database ping timed out")),
              READY_TIMEOUT_MS,
            );
          }),
        ]);
        return { status: "ready" };
      } catch (error) {
        request.log.warn({ err: error }, "database not reachable");
        return reply.status(503).header("retry-after", "5").send({ status: "unavailable" });
      } finally {
        clearTimeout(timer);
      }
    },
  );

  app.get(
    "/.well-known/jwks.json",
    { schema: { tags: ["ops"], summary: "Public keys that verify Handoff's tokens" } },
    async (_request, reply) => {
      // Public material: caches may keep it briefly; rotation keeps old keys for a day anyway.
      reply.header("cache-control", "public, max-age=300");
      return services.keys.jwks();
    },
  );
}
