// What the tables of logouts owed to apps (OIDC Back-Channel Logout, SAML SOAP logout) share:
// each row is tried in turn by whichever worker claimed it (src/db/claim.ts), and a try ends as
// delivered, as pending again after a backoff, or as given up after a bounded number of tries.
// The outcome of a try, and its recording under the claim it was made under, are written once here.
import type { Reader, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";

/** The tables with a delivery's columns: state, attempts, next_attempt_at, claimed_until … */
export type AttemptTable = "oidc_logout_deliveries" | "saml_logout_deliveries";

/** How a kind of delivery is retried: 5 s, doubling, at most `maxBackoffMs` apart, `maxAttempts` in all. */
export interface RetryRules {
  firstRetryMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
}

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
 * `final` (nothing to send it to any more).
 */
export function outcomeOf(
  rules: RetryRules,
  before: number,
  tried: { status: number | null; error: string | null; final?: boolean },
  now: number,
): TryOutcome {
  const attempts = before + 1;
  const ok = tried.error === null;
  const giveUp = !ok && (tried.final === true || attempts >= rules.maxAttempts);
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

/** Records a try's outcome, only under the claim it was made under (a claim retaken since wins). */
export async function recordTry(
  trx: Tx,
  table: AttemptTable,
  id: string,
  claimedUntil: number,
  outcome: TryOutcome,
): Promise<void> {
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
export async function backlogOf(
  read: Reader,
  table: AttemptTable,
): Promise<{ count: number; oldestAt: number | null }> {
  const row = await read
    .selectFrom(table)
    .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("created_at").as("oldest")])
    .where("state", "=", "pending")
    .executeTakeFirst();
  return {
    count: Number(row?.count ?? 0),
    oldestAt: row?.oldest == null ? null : Number(row.oldest),
  };
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
