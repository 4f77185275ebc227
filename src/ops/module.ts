// Operations: liveness, readiness and the public keys, and the pruner that runs every module's
// prune jobs.
import type { PruneJob } from "../db/prune.js";
import type { KeyStore } from "../keys/service.js";
import type { Foundation, Module } from "../module.js";
import type { Backlog, Metrics } from "./metrics.js";
import { prune, startPruner } from "./pruner.js";
import { opsRoutes } from "./routes.js";

export interface OpsModule extends Module {
  /** Stops being ready (SIGTERM): /readyz answers 503 while requests in flight finish. */
  drain: () => void;
  /** Prunes now with the configured retention (or `options`); answers rows deleted per job. */
  pruneNow: (options?: {
    ticketRetentionDays?: number;
    auditRetentionDays?: number;
    batchSize?: number;
  }) => Promise<Record<string, number>>;
}

export interface OpsModuleDeps extends Foundation {
  keys: KeyStore;
  /** Every module's prune jobs. */
  jobs: PruneJob[];
  /** Null when metrics are off (no HANDOFF_METRICS_TOKEN). */
  metrics: Metrics | null;
  backlogs: Backlog[];
}

export function opsModule(deps: OpsModuleDeps): OpsModule {
  const { database, clock, config, keys, jobs, metrics } = deps;
  metrics?.watch(deps.backlogs, database);
  const retention = {
    ticketRetentionDays: config.ticketRetentionDays,
    auditRetentionDays: config.auditRetentionDays,
  };
  let draining = false;
  return {
    drain: () => {
      draining = true;
    },
    routes: (scope) =>
      opsRoutes(scope, {
        database,
        keys,
        draining: () => draining,
        metrics: metrics && config.metricsToken ? { metrics, token: config.metricsToken } : null,
      }),
    pruneNow: (options = {}) => prune(database, jobs, clock, { ...retention, ...options }),
    jobs: [
      (log) =>
        startPruner(
          database,
          jobs,
          clock,
          { ...retention, intervalSeconds: config.pruneIntervalSeconds },
          log,
        ),
    ],
  };
}
