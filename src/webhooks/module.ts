// Event webhooks to partners: endpoints, the deliveries worker, and retention.
import type { AuditLog } from "../audit/log.js";
import { parseCidrs } from "../http/cidr.js";
import type { Foundation, Module } from "../module.js";
import { startWebhookWorker, WebhookService } from "./service.js";
import { WebhookStore } from "./store.js";

const DAY_MS = 24 * 3600 * 1000;

export interface WebhooksModule extends Module {
  webhooks: WebhookService;
}

export function webhooksModule(deps: Foundation & { audit: AuditLog }): WebhooksModule {
  const { database, clock, config, sealer, audit } = deps;
  const webhooks = new WebhookService(
    database,
    new WebhookStore(database, database.dialect),
    clock,
    sealer,
    parseCidrs(config.outboundAllow),
    audit,
  );
  return {
    webhooks,
    jobs: [(log) => startWebhookWorker(webhooks, log)],
    // Deliveries are retried for 3 days: events stay at least 4, for the partner's delivery log.
    prune: [
      {
        name: "webhooks",
        step: (trx, at, limit) =>
          WebhookStore.prune(trx, at.now - Math.max(at.ticketRetentionDays, 4) * DAY_MS, limit),
      },
    ],
  };
}
