// Background pruning: expired tickets, ended sessions and old audit entries leave the database
// in small batches on a timer, never on the request path, so a table's size never reaches a
// request's cost.
import type { FastifyBaseLogger } from "fastify";
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import type { Tables } from "../db/schema.js";

const BATCH = 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface PruneResult {
  tickets: number;
  sessions: number;
  audit: number;
  /** Expired OIDC artefacts (codes, tokens, sessions, interactions) and grant links. */
  oidc: number;
}

export interface PruneOptions {
  ticketRetentionDays: number;
  auditRetentionDays: number;
  /** Rows per statement; each batch is its own short transaction. */
  batchSize?: number;
}

/** Deletes what is past its retention, one batch at a time, until nothing is left. */
export async function prune(
  db: Kysely<Tables>,
  clock: Clock,
  options: PruneOptions,
): Promise<PruneResult> {
  const batch = options.batchSize ?? BATCH;
  const now = clock.now();
  const ticketsBefore = now - options.ticketRetentionDays * DAY_MS;
  const auditBefore = now - options.auditRetentionDays * DAY_MS;
  const result: PruneResult = { tickets: 0, sessions: 0, audit: 0, oidc: 0 };

  const drain = async (step: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < batch) return total;
      // Let requests in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  result.sessions = await drain(async () => {
    const r = await db
      .deleteFrom("sessions")
      .where(
        "id",
        "in",
        db
          .selectFrom("sessions")
          .select("id")
          .where((eb) =>
            eb.or([eb("expires_at", "<", ticketsBefore), eb("ended_at", "<", ticketsBefore)]),
          )
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  result.tickets = await drain(async () => {
    const r = await db
      .deleteFrom("tickets")
      .where(
        "id",
        "in",
        db
          .selectFrom("tickets as t")
          .select("t.id")
          .where("t.expires_at", "<", ticketsBefore)
          // A ticket stays while the session it made exists: the session reads its settings.
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom("sessions as s").select("s.id").whereRef("s.id", "=", "t.session_id"),
              ),
            ),
          )
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  result.audit = await drain(async () => {
    const r = await db
      .deleteFrom("audit_log")
      .where(
        "id",
        "in",
        db.selectFrom("audit_log").select("id").where("at", "<", auditBefore).limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  result.oidc = await drain(async () => {
    const r = await db
      .deleteFrom("oidc_models")
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple("model", "id"),
          "in",
          selectFrom("oidc_models")
            .select(["model", "id"])
            .where("expires_at", "<", now)
            .limit(batch)
            .$asTuple("model", "id"),
        ),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  result.oidc += await drain(async () => {
    const r = await db
      .deleteFrom("oidc_grant_sessions")
      .where(
        "grant_id",
        "in",
        db
          .selectFrom("oidc_grant_sessions")
          .select("grant_id")
          .where("expires_at", "<", now)
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  return result;
}

/** Runs `prune` every `intervalSeconds`; returns a stop function. Errors are logged, not thrown. */
export function startPruner(
  db: Kysely<Tables>,
  clock: Clock,
  options: PruneOptions & { intervalSeconds: number },
  log: FastifyBaseLogger,
): () => Promise<void> {
  if (options.intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = prune(db, clock, options)
      .then((result) => {
        if (result.tickets + result.sessions + result.audit + result.oidc > 0)
          log.info({ pruned: result }, "pruned");
      })
      .catch((error: unknown) => log.warn({ err: error }, "pruning failed; will retry"))
      .finally(() => {
        running = null;
      });
  }, options.intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
