// A process-local cache that is only trusted while the change feed is current (src/db/changes.ts):
// entries live at most `ttlMs`, are dropped when a change names them, and are not used at all
// while the feed may have missed another process's change.
import type { ChangeFeed } from "./database.js";

export class SharedCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly feed: Pick<ChangeFeed, "current">,
    private readonly now: () => number,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry || !this.feed.current || entry.until <= this.now()) return undefined;
    return entry.value;
  }

  /** Keeps `value` for the cache's time, or until `until` when that comes first. */
  set(key: string, value: V, until = Number.POSITIVE_INFINITY): void {
    if (this.ttlMs <= 0) return;
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, until: Math.min(until, this.now() + this.ttlMs) });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
