// The change feed: how a cache in one process learns that another process (the CLI, another node)
// changed what it holds. Write work names what it changed; the feed records that in the same
// transaction, publishes it to this process after the commit, and hears other processes' changes:
// SQLite polls a change log table, PostgreSQL listens (LISTEN/NOTIFY, delivered at commit, in
// commit order). While the feed cannot be sure it has heard everything older than a second
// (`current` false), caches are not used at all.
import type { Change, ChangeFeed, ChangeListener, Reader, Tx } from "./database.js";
import { deleteSelected } from "./prune.js";

/** How long a feed may go without hearing from the database before caches stop trusting it. */
export const FEED_STALE_MS = 1000;

function decode(topic: string, key: string | null): Change {
  if ((topic === "session" || topic === "app") && key !== null) return { topic, key };
  if (topic === "sessions" || topic === "credentials" || topic === "keys" || topic === "webhooks")
    return { topic };
  return { topic: "all" };
}

/** What every feed shares: its listeners. */
export abstract class BaseFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  /** Calls `listener` for every change, local or not; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells this process's listeners (after a local commit, or when another process's is heard). */
  publish(changes: readonly Change[]): void {
    for (const change of changes) for (const listener of this.#listeners) listener(change);
  }

  /** Writes `changes` inside the transaction that made them. */
  abstract record(trx: Tx, changes: readonly Change[]): Promise<void>;

  /** True while every change committed more than a second ago has been heard. */
  abstract get current(): boolean;

  abstract close(): Promise<void>;
}

/** One process owns the database (PGlite, SQLite in memory): local publishing is all there is. */
export class LocalFeed extends BaseFeed {
  async record(): Promise<void> {}
  get current(): boolean {
    return true;
  }
  async close(): Promise<void> {}
}

/** SQLite: a change log table, polled by sequence number (SQLite commits one writer at a time). */
export class PolledFeed extends BaseFeed {
  /** The last sequence number heard; null until the first poll has read where the log stands. */
  #seq: number | null = null;
  #heardAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly reader: () => Reader,
    private readonly pollMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.#schedule(0);
  }

  async record(trx: Tx, changes: readonly Change[]): Promise<void> {
    const at = this.now();
    await trx
      .insertInto("changes")
      .values(changes.map((c) => ({ at, topic: c.topic, key: "key" in c ? c.key : null })))
      .execute();
  }

  get current(): boolean {
    return this.now() - this.#heardAt < FEED_STALE_MS;
  }

  /** Reads what other processes committed since the last poll. */
  async poll(): Promise<void> {
    const wasCurrent = this.current;
    if (this.#seq === null) {
      const row = await this.reader()
        .selectFrom("changes")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .executeTakeFirst();
      this.#seq = Number(row?.seq ?? 0);
    } else {
      const rows = await this.reader()
        .selectFrom("changes")
        .select(["seq", "topic", "key"])
        .where("seq", ">", this.#seq)
        .orderBy("seq")
        .limit(500)
        .execute();
      const last = rows.at(-1);
      if (last) this.#seq = Number(last.seq);
      if (!wasCurrent || rows.length === 500) this.publish([{ topic: "all" }]);
      else this.publish(rows.map((r) => decode(r.topic, r.key)));
    }
    this.#heardAt = this.now();
  }

  #schedule(delay = this.pollMs): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      // A failed poll (no change log yet, a locked file) leaves the feed stale, and so caches
      // unused, until one succeeds.
      this.poll()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}

/** The payload of one NOTIFY: a change as `topic` or `topic:key`. */
export function encodeChange(change: Change): string {
  return "key" in change ? `${change.topic}:${change.key}` : change.topic;
}

export function decodeChange(payload: string): Change {
  const colon = payload.indexOf(":");
  return colon < 0
    ? decode(payload, null)
    : decode(payload.slice(0, colon), payload.slice(colon + 1));
}

/** How long the change log keeps an entry: far longer than any process may lag and stay current. */
export const CHANGE_LOG_RETENTION_MS = 3600_000;

/** Deletes up to `limit` change log entries older than `before`. */
export async function pruneChangeLog(trx: Tx, before: number, limit: number): Promise<number> {
  const selected = trx.selectFrom("changes").select("seq").where("at", "<", before);
  return deleteSelected(trx, "changes", "seq", selected.limit(limit));
}
