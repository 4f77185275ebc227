// Background pruning: expired tickets, ended sessions, old audit entries, spent OIDC artefacts and
// the change log leave the database in small batches on a timer, never on the request path, so a
// table's size never reaches a request's cost. Each batch is one write through the write path.
import type { FastifyBaseLogger } from "fastify";
import { pruneAudit } from "../audit/store.js";
import { CallbackStore } from "../callbacks/store.js";
import type { Clock } from "../clock.js";
import { CHANGE_LOG_RETENTION_MS, pruneChangeLog } from "../db/changes.js";
import type { Storage, Tx } from "../db/database.js";
import { Outbox } from "../delivery/outbox.js";
import { OidcStore } from "../oidc/store.js";
import { SamlStore } from "../saml/store.js";
import { SessionStore } from "../sessions/store.js";
import { TicketStore } from "../tickets/store.js";
import { WebhookStore } from "../webhooks/store.js";
import { startWorker } from "./worker.js";

const BATCH = 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface PruneResult {
  tickets: number;
  sessions: number;
  audit: number;
  /** Expired OIDC artefacts (codes, tokens, sessions, interactions) and grant links. */
  oidc: number;
  /** Messages delivered or given up more than a day ago. */
  outbox: number;
  /** SAML request ids past the time a replay of them could be accepted. */
  saml: number;
  /** Webhook events (and their deliveries) past retention, none still pending. */
  webhooks: number;
  /** Money-moving call-backs (and the partner's kept answers) past retention. */
  callbacks: number;
}

export interface PruneOptions {
  ticketRetentionDays: number;
  auditRetentionDays: number;
  /** Rows per statement; each batch is its own short transaction. */
  batchSize?: number;
}

/** Deletes what is past its retention, one batch at a time, until nothing is left. */
export async function prune(
  storage: Storage,
  clock: Clock,
  options: PruneOptions,
): Promise<PruneResult> {
  const batch = options.batchSize ?? BATCH;
  const now = clock.now();
  const ticketsBefore = now - options.ticketRetentionDays * DAY_MS;
  const auditBefore = now - options.auditRetentionDays * DAY_MS;
  const sessions = new SessionStore(storage);
  const tickets = new TicketStore(storage);
  const oidc = new OidcStore(storage);

  const drain = async (step: (trx: Tx) => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await storage.write(step);
      total += n;
      if (n < batch) return total;
      // Let requests in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const result: PruneResult = {
    sessions: await drain((trx) => sessions.prune(trx, ticketsBefore, batch)),
    tickets: await drain((trx) => tickets.prune(trx, ticketsBefore, batch)),
    audit: await drain((trx) => pruneAudit(trx, auditBefore, batch)),
    oidc: await drain((trx) => oidc.prune(trx, now, batch)),
    // Delivered (or given-up) messages hold sealed one-time codes: kept a day, for the step's
    // "sent" / "failed" and for support, then gone.
    outbox: await drain((trx) => Outbox.prune(trx, now - DAY_MS, batch)),
    saml: await drain((trx) => SamlStore.prune(trx, now, batch)),
    // Deliveries are retried for 3 days: events stay at least 4, for the partner's delivery log.
    webhooks: await drain((trx) =>
      WebhookStore.prune(trx, now - Math.max(options.ticketRetentionDays, 4) * DAY_MS, batch),
    ),
    // An Idempotency-Key is answered from its kept answer as long as tickets are kept.
    callbacks: await drain((trx) => CallbackStore.prune(trx, ticketsBefore, batch)),
  };
  await drain((trx) => pruneChangeLog(trx, Date.now() - CHANGE_LOG_RETENTION_MS, batch));
  return result;
}

/** Runs `prune` every `intervalSeconds`; returns a stop function. Errors are logged, not thrown. */
export function startPruner(
  storage: Storage,
  clock: Clock,
  options: PruneOptions & { intervalSeconds: number },
  log: FastifyBaseLogger,
): () => Promise<void> {
  if (options.intervalSeconds <= 0) return async () => {};
  const worker = startWorker(
    "pruning",
    async () => {
      const result = await prune(storage, clock, options);
      if (Object.values(result).some((n) => n > 0)) log.info({ pruned: result }, "pruned");
    },
    log,
    options.intervalSeconds * 1000,
  );
  return () => worker.stop();
}
