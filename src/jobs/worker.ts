// Background work off the request path (the pruner, the outbox, webhook deliveries): run every
// `intervalMs` and whenever nudged, one run at a time (a nudge during a run asks for one more
// after it), failures logged and tried again on the next run. `stop` waits for the run in flight.
import type { FastifyBaseLogger } from "fastify";

export interface Worker {
  nudge(): void;
  stop(): Promise<void>;
}

export function startWorker(
  label: string,
  work: () => Promise<unknown>,
  log: FastifyBaseLogger,
  intervalMs: number,
): Worker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = work()
      .then(() => undefined)
      .catch((error: unknown) => log.warn({ err: error }, `${label} failed; will retry`))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    nudge: () => setImmediate(run),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
