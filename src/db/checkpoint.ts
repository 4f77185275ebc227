// WAL checkpoints for SQLite, off the event loop. By default SQLite checkpoints inside the COMMIT
// that pushes the WAL past 1000 pages: it copies those pages into the database file and flushes
// it to disk, on the thread that committed, our only one. Here the main connection never
// checkpoints by itself; a worker thread with its own connection does it (PASSIVE: it never
// blocks a reader or the writer), a moment after writes were committed.
//
// A PASSIVE checkpoint cannot restart the WAL while commits keep landing during it, so under
// sustained load the WAL would only grow. When it passes `catchUpFrames`, the main connection
// runs one PASSIVE checkpoint itself between two batches: the worker has already copied nearly
// everything, so this copies only the last few frames, and the next commit starts the WAL over.
//
// Durability is not at stake: a commit is durable once its WAL frames are on disk (see
// group-commit.ts); checkpoints only move pages into the database file, and SQLite recovers
// from the WAL after a crash whatever a checkpoint had done.
import { Worker } from "node:worker_threads";
import { sqliteDriverPath } from "./sqlite-driver.js";

export interface CheckpointerOptions {
  /** The database file. */
  path: string;
  /** Sets the main connection's automatic checkpoint (`pragma wal_autocheckpoint`). */
  autocheckpoint(pages: number): void;
  /** One PASSIVE checkpoint on the main connection, between two transactions. */
  checkpointHere(): Promise<CheckpointResult>;
  /** Told once if the worker fails; SQLite's own checkpoints are back on from then. */
  onFailure?: (message: string) => void;
  /** WAL size (in frames, one page each) at which the main connection catches up. */
  catchUpFrames?: number;
  /** Least time between two worker checkpoints. */
  minIntervalMs?: number;
  /** The better-sqlite3 module the worker loads (tests give a broken one). */
  driver?: string;
}

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** SQLite's default automatic checkpoint size, restored if the worker fails. */
export const SQLITE_AUTOCHECKPOINT = 1000;

// Plain CommonJS run with `eval`, so it works the same from src (tests) and dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// A checkpoint flushes the WAL before copying and the database file after, as at FULL.
db.pragma("synchronous = FULL");
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ ok: true, result });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message) });
  }
});
`;

type Reply = { ok: true; result: CheckpointResult } | { ok: false; message: string };

export class Checkpointer {
  #worker: Worker | null = null;
  #failed = false;
  #busy = false;
  #closing: Promise<void> | null = null;
  #lastStart = 0;
  /** Set when the WAL grew past catchUpFrames: the main connection checkpoints once. */
  #catchUp = false;
  #catchingUp = false;
  readonly #catchUpFrames: number;
  readonly #minIntervalMs: number;

  constructor(private readonly options: CheckpointerOptions) {
    this.#catchUpFrames = options.catchUpFrames ?? 4 * SQLITE_AUTOCHECKPOINT;
    this.#minIntervalMs = options.minIntervalMs ?? 100;
  }

  /** Whether the worker failed and SQLite checkpoints by itself again. */
  get failed(): boolean {
    return this.#failed;
  }

  /**
   * Called after every committed batch, between transactions. Starts the worker on first use,
   * so a process that never writes never has one.
   */
  committed(): void {
    if (this.#failed || this.#closing) return;
    if (this.#catchUp && !this.#busy && !this.#catchingUp) {
      this.#catchingUp = true;
      this.options
        .checkpointHere()
        .then((result) => {
          if (result.busy === 0) this.#catchUp = false;
        })
        .catch(() => undefined) // a transaction was open; the next batch tries again
        .finally(() => {
          this.#catchingUp = false;
        });
      return;
    }
    if (this.#busy || this.#catchUp) return;
    const now = Date.now();
    if (now - this.#lastStart < this.#minIntervalMs) return;
    this.#lastStart = now;
    this.#busy = true;
    this.#start().postMessage("checkpoint");
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const driver = this.options.driver ?? sqliteDriverPath();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path: this.options.path, driver },
    });
    worker.unref();
    this.options.autocheckpoint(0);
    worker.on("message", (reply: Reply) => {
      this.#busy = false;
      if (!reply.ok) return this.#fail(reply.message);
      if (reply.result.log >= this.#catchUpFrames) this.#catchUp = true;
    });
    // A worker can throw anything; the message must still say what happened.
    worker.on("error", (error: unknown) =>
      this.#fail(error instanceof Error ? error.message : String(error)),
    );
    worker.on("exit", (code) => {
      if (!this.#closing) this.#fail(`the checkpoint worker stopped (exit code ${code})`);
    });
    this.#worker = worker;
    return worker;
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#busy = false;
    this.options.autocheckpoint(SQLITE_AUTOCHECKPOINT);
    void this.#worker?.terminate();
    this.options.onFailure?.(message);
  }

  /** Stops the worker (its connection closes first, so the main one is the last to close). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const worker = this.#worker;
      if (!worker || this.#failed) return;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("close");
      await exited;
    })();
    return this.#closing;
  }
}
