// Background pruning: every module's prune jobs (src/module.ts) run on a timer, in small batches,
// never on the request path; the change log goes last, by its own (wall-clock) retention.
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../clock.js";
import { CHANGE_LOG_RETENTION_MS, pruneChangeLog } from "../db/changes.js";
import { pruneRateWindows } from "../db/counters.js";
import type { Storage } from "../db/database.js";
import { type PruneJob, type RetentionOptions, runPrune } from "../db/prune.js";
import { startWorker } from "../jobs/worker.js";
import type { Running } from "../module.js";

/** The change log and rate windows run on the wall clock, and are not reported. */
const housekeeping: PruneJob[] = [
  {
    name: "changes",
    step: (trx, _at, limit) => pruneChangeLog(trx, Date.now() - CHANGE_LOG_RETENTION_MS, limit),
  },
  { name: "rate_windows", step: (trx, _at, limit) => pruneRateWindows(trx, limit) },
];

/** Deletes what is past its retention, job by job; answers the rows deleted per job. */
export async function prune(
  storage: Storage,
  jobs: readonly PruneJob[],
  clock: Clock,
  options: RetentionOptions,
): Promise<Record<string, number>> {
  const result = await runPrune(storage, jobs, clock.now(), options);
  await runPrune(storage, housekeeping, clock.now(), options);
  return result;
}

/** Runs `prune` every `intervalSeconds` (none at 0); errors are logged, never thrown. */
export function startPruner(
  storage: Storage,
  jobs: readonly PruneJob[],
  clock: Clock,
  options: RetentionOptions & { intervalSeconds: number },
  log: FastifyBaseLogger,
): Running {
  if (options.intervalSeconds <= 0) return { stop: async () => {} };
  return startWorker(
    "pruning",
    async () => {
      const result = await prune(storage, jobs, clock, options);
      if (Object.values(result).some((n) => n > 0)) log.info({ pruned: result }, "pruned");
    },
    log,
    options.intervalSeconds * 1000,
  );
}
