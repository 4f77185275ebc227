// What a domain hands the composition root (src/compose.ts): its routes, how its caches react to
// storage changes, its background jobs and what the pruner deletes for it. Every part is optional.
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Sealer } from "./crypto/seal.js";
import type { CounterFactory } from "./db/counters.js";
import type { Change, Database } from "./db/database.js";
import type { PruneJob } from "./db/prune.js";

/** A running background job; `stop` waits for the run in flight. */
export interface Running {
  stop(): Promise<void>;
}

export interface Module {
  /** Registers the module's routes, in a scope of its own. */
  routes?: (scope: FastifyInstance) => Promise<void>;
  /** Called for every change any process commits (src/db/changes.ts): forget what it names. */
  onChange?: (change: Change) => void;
  /** Started with the app (never by the CLI), stopped with it. */
  jobs?: ((log: FastifyBaseLogger) => Running)[];
  /** Rows past their retention, deleted by the pruner in batches. */
  prune?: PruneJob[];
  /** Released when the app closes (after the jobs have stopped). */
  close?: () => void | Promise<void>;
}

/** What every module may use: configuration, storage, time, the sealer of data at rest, counters. */
export interface Foundation {
  config: Config;
  database: Database;
  clock: Clock;
  sealer: Sealer;
  /** Counts for limits: this process's on SQLite, every node's on PostgreSQL. */
  counters: CounterFactory;
}

/** A job that runs `tick` every `intervalMs` until stopped (a cache refresh, say). */
export function everyInterval(
  intervalMs: number,
  tick: (log: FastifyBaseLogger) => void,
): (log: FastifyBaseLogger) => Running {
  return (log) => {
    const timer = setInterval(() => tick(log), intervalMs);
    timer.unref();
    return { stop: async () => clearInterval(timer) };
  };
}
