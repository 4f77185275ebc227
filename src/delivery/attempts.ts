// What the queues of deliveries owed to other servers (webhooks, OIDC Back-Channel Logout, SAML
// SOAP logout) share: each row is claimed by one worker (src/db/claim.ts) and tried, and a try
// ends as delivered, as pending again after a backoff, or as given up. Claiming, the outcome of
// a try, its recording under the claim it was made under, the backlog and a worker's run are
// written once here; each store says only which columns a try needs.
import type { SelectQueryBuilder } from "kysely";
import { claimDue } from "../db/claim.js";
import type { DialectName, Storage, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";
import type { Tables } from "../db/schema.js";

/** The tables with a delivery's columns: state, attempts, next_attempt_at, claimed_until … */
export type AttemptTable =
  | "webhook_deliveries"
  | "oidc_logout_deliveries"
  | "saml_logout_deliveries";

/**
 * How a kind of delivery is retried: 5 s, doubling, at most `maxBackoffMs` apart, and given up
 * after `maxAttempts` tries (without it, only when a try says so: `final`).
 */
export interface RetryRules {
  firstRetryMs: number;
  maxBackoffMs: number;
  maxAttempts?: number;
}

/**
 * How a logout owed to an app is sent (OIDC Back-Channel Logout, SAML SOAP logout): retries wait
 * 5 s, doubling, at most an hour apart, and 12 tries span about 2.5 hours; each waits 5 s at most.
 */
export const LOGOUT_DELIVERY_RULES = {
  firstRetryMs: 5000,
  maxBackoffMs: 3600_000,
  maxAttempts: 12,
  timeoutMs: 5000,
  batch: 20,
  /** Longer than a batch can take (each delivery in turn, to its timeout), with a margin. */
  claimMs: 20 * 5000 + 60_000,
} as const;

/** A try's outcome, as recorded on its row. */
export interface TryOutcome {
  state: "pending" | "delivered" | "failed";
  attempts: number;
  /** The HTTP status the receiver answered; null when it answered nothing. */
  status: number | null;
  /** Why the try failed; null when it succeeded. */
  error: string | null;
  /** When a pending delivery is tried next. */
  next: number;
  now: number;
}

/**
 * The outcome of a try that failed with `error` (null: it succeeded), the row's `attempts`
 * before it: pending again after the backoff, or given up after the last try, or at once when
 * `final` (nothing to send it to any more, or tried for long enough).
 */
export function outcomeOf(
  rules: RetryRules,
  before: number,
  tried: { status: number | null; error: string | null; final?: boolean },
  now: number,
): TryOutcome {
  const attempts = before + 1;
  const ok = tried.error === null;
  const giveUp =
    !ok && (tried.final === true || attempts >= (rules.maxAttempts ?? Number.POSITIVE_INFINITY));
  const wait = Math.min(rules.firstRetryMs * 2 ** (attempts - 1), rules.maxBackoffMs);
  return {
    state: ok ? "delivered" : giveUp ? "failed" : "pending",
    attempts,
    status: tried.status,
    error: tried.error,
    next: now + wait,
    now,
  };
}

/** The columns a delivery is written with: pending, due at once, unclaimed, never tried. */
export function newDelivery(now: number) {
  return {
    state: "pending" as const,
    next_attempt_at: now,
    claimed_until: null,
    last_status: null,
    last_error: null,
    created_at: now,
    finished_at: null,
  };
}

/** What every claimed delivery carries, whatever else a try needs. */
export interface DueColumns {
  id: string;
  /** Tries made before this one. */
  attempts: number;
}

/** A delivery as a worker claimed it. */
export interface Claimed extends DueColumns {
  /** The claim taken on it: finishing needs the same. */
  claimedUntil: number;
}

/** A store of one table of deliveries: claiming, finishing and counting them. */
export abstract class DeliveryQueue<T extends AttemptTable> {
  protected abstract readonly table: T;

  constructor(
    protected readonly storage: Storage,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Claims up to `limit` due deliveries for `claimMs` (on PostgreSQL FOR UPDATE SKIP LOCKED, so
   * each is taken by one node): pending, due by `now`, unclaimed or past their claim, the longest
   * due first. `pick` adds to their id and attempts what a try needs (columns, joins).
   */
  protected async claimWith<DB, TB extends keyof DB, Row extends DueColumns>(
    trx: Tx,
    now: number,
    limit: number,
    claimMs: number,
    pick: (due: SelectQueryBuilder<Tables, T, DueColumns>) => SelectQueryBuilder<DB, TB, Row>,
  ): Promise<(Row & Claimed)[]> {
    const table: AttemptTable = this.table;
    // Columns named with their table: `pick` may join tables that have an id or a created_at too.
    const due = trx
      .selectFrom(table)
      .select([`${table}.id`, `${table}.attempts`])
      .where(`${table}.state`, "=", "pending")
      .where(`${table}.next_attempt_at`, "<=", now)
      .where((eb) =>
        eb.or([eb(`${table}.claimed_until`, "is", null), eb(`${table}.claimed_until`, "<", now)]),
      )
      .orderBy(`${table}.next_attempt_at`)
      .limit(limit);
    const claimedUntil = now + claimMs;
    // Kysely cannot check a query over a table named by a type parameter: it is built over every
    // delivery table (their columns are the same), then handed on as a query of this one.
    const picked = pick(due as unknown as SelectQueryBuilder<Tables, T, DueColumns>);
    const rows = await claimDue(trx, this.dialect, this.table, picked, claimedUntil);
    return rows.map((row) => ({ ...row, claimedUntil }));
  }

  /**
   * Records a try's outcome, only under the claim it was made under: a claim that ran out and
   * was retaken by another worker (or a webhook's replay) wins over a slow one.
   */
  async finish(trx: Tx, id: string, claimedUntil: number, outcome: TryOutcome): Promise<void> {
    const table: AttemptTable = this.table;
    await trx
      .updateTable(table)
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        last_status: outcome.status,
        last_error: outcome.error,
        next_attempt_at: outcome.next,
        claimed_until: null,
        finished_at: outcome.state === "pending" ? null : outcome.now,
      })
      .where("id", "=", id)
      .where("claimed_until", "=", claimedUntil)
      .execute();
  }

  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  async backlog(): Promise<{ count: number; oldestAt: number | null }> {
    const table: AttemptTable = this.table;
    const row = await this.storage.read
      .selectFrom(table)
      .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("created_at").as("oldest")])
      .where("state", "=", "pending")
      .executeTakeFirst();
    return {
      count: Number(row?.count ?? 0),
      oldestAt: row?.oldest == null ? null : Number(row.oldest),
    };
  }
}

/**
 * A worker's run: claims a batch of what is due, tries each in turn with `send`, and records
 * each outcome under its claim as soon as the try ends (a crash loses only the try in flight,
 * made again once its claim runs out). Answers how many were delivered.
 */
export async function deliverDue<Item extends Claimed>(
  storage: Storage,
  queue: {
    claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<Item[]>;
    finish(trx: Tx, id: string, claimedUntil: number, outcome: TryOutcome): Promise<void>;
  },
  /** `batch` deliveries at a time, each claim held for `claimMs`. */
  rules: { batch: number; claimMs: number },
  now: number,
  send: (item: Item) => Promise<TryOutcome>,
): Promise<number> {
  const due = await storage.write((trx) => queue.claim(trx, now, rules.batch, rules.claimMs));
  let delivered = 0;
  for (const item of due) {
    const outcome = await send(item);
    await storage.write((trx) => queue.finish(trx, item.id, item.claimedUntil, outcome));
    if (outcome.state === "delivered") delivered += 1;
  }
  return delivered;
}

/** Deletes up to `limit` deliveries finished (delivered or given up) before `before`. */
export function pruneFinished(
  trx: Tx,
  table: AttemptTable,
  before: number,
  limit: number,
): Promise<number> {
  const selected = trx
    .selectFrom(table)
    .select("id")
    .where("finished_at", "<", before)
    .limit(limit);
  return deleteSelected(trx, table, "id", selected);
}
