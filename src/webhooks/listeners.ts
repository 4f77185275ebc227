// Who listens to which events, known in memory: most audited changes (every redemption, every
// mint) are events nobody subscribed to, and the lookup that said so ran inside each of their
// transactions. The set of (partner, event type) pairs with an endpoint is loaded once and again
// after each change the feed names `webhooks`; while it is not known, or the feed may have missed
// a change, the table is asked as before. So an endpoint added on another node is honoured
// within the feed's second, like every other cache (docs/scaling.md).
import type { AuditEntry } from "../audit/store.js";
import type { Change, Storage, Tx } from "../db/database.js";
import type { Module } from "../module.js";
import { eventOf } from "./events.js";
import { recordEvent } from "./store.js";

export class WebhookListeners implements Module {
  /** `partner type` (`*` for the operators' endpoints, which hear every partner's events). */
  #pairs: Set<string> | null = null;
  #generation = 0;

  constructor(private readonly storage: Pick<Storage, "read" | "changes">) {}

  /** False only when no endpoint listens, for sure; true sends the caller to the table. */
  mayListen(partnerId: string, type: string): boolean {
    const pairs = this.#pairs;
    if (pairs === null || !this.storage.changes.current) return true;
    return pairs.has(`${partnerId} ${type}`) || pairs.has(`* ${type}`);
  }

  /** The audit follower: writes the entry's event, if anyone may listen, in its transaction. */
  readonly follow = async (trx: Tx, entry: AuditEntry): Promise<void> => {
    const event = eventOf(entry);
    if (event && this.mayListen(event.partnerId, event.type))
      await recordEvent(trx, event, entry.at);
  };

  readonly onChange = (change: Change): void => {
    if (change.topic !== "webhooks" && change.topic !== "all") return;
    this.#pairs = null;
    this.#generation++;
    void this.load();
  };

  readonly jobs = [
    () => {
      void this.load();
      return { stop: async () => {} };
    },
  ];

  /** Loads the pairs; a load overtaken by a change is dropped (the change's own load follows). */
  async load(): Promise<void> {
    const generation = this.#generation;
    let rows: { partner_id: string | null; events: string }[];
    try {
      rows = await this.storage.read
        .selectFrom("webhook_endpoints")
        .select(["partner_id", "events"])
        .execute();
    } catch {
      return; // the database is away: the table is asked until a change reloads the pairs
    }
    if (generation !== this.#generation) return;
    const pairs = new Set<string>();
    for (const row of rows) {
      for (const type of row.events.split(","))
        if (type) pairs.add(`${row.partner_id ?? "*"} ${type}`);
    }
    this.#pairs = pairs;
  }
}
