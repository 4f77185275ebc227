// The outbox: messages written in the same transaction as what makes them (a one-time code),
// delivered by a worker off the request path. A crash before the COMMIT leaves neither the code
// nor its message; after it, the message waits in the table until a worker sends it. A worker
// claims a message for a while before sending, so two workers (two nodes) do not both send it;
// a worker that dies mid-send leaves its claim to expire, and the message is sent again: at least
// once, and twice only if the process dies between the mail server's answer and the row's update.
import type { FastifyBaseLogger } from "fastify";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { newId } from "../crypto/secrets.js";
import { claimDue } from "../db/claim.js";
import type { Storage, Tx } from "../db/database.js";
import { deleteSelected } from "../db/prune.js";
import { startWorker, type Worker } from "../jobs/worker.js";

export interface MailMessage {
  kind: "email";
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A text message; `to` in E.164 (`+919876543210`). */
export interface SmsMessage {
  kind: "sms";
  to: string;
  text: string;
}

export type Message = MailMessage | SmsMessage;

/**
 * Delivers one message; throws to have it retried. `id` is the outbox row's: the same on every
 * attempt, so a receiver can drop a message it already has (Message-ID, `webhook-id`).
 */
export interface Sender<M extends Message> {
  send(message: M, id: string): Promise<void>;
}

/** Who delivers each kind of message; null: nobody (such a message waits, then fails). */
export interface Senders {
  email: Sender<MailMessage> | null;
  sms: Sender<SmsMessage> | null;
}

function dispatch(senders: Senders, message: Message, id: string): Promise<void> {
  if (message.kind === "sms") {
    if (!senders.sms) throw new Error("no SMS sender is configured");
    return senders.sms.send(message, id);
  }
  if (!senders.email) throw new Error("no mail sender is configured");
  return senders.email.send(message, id);
}

/** Each sender gives up on a message within this long (SMS: 10 s; SMTP: its timeouts, mail.ts). */
export const SEND_TIMEOUT_MS = 10_000;
/** Retries after 5 s, 10 s, 20 s … up to 8 attempts (about 10 minutes), then the message fails. */
const MAX_ATTEMPTS = 8;
const BATCH = 20;
/** A claim outlasts a whole batch sent in turn, each to its timeout: no other worker takes a
 * message while this one may still be sending it. */
const CLAIM_MS = BATCH * SEND_TIMEOUT_MS + 60_000;

const sealContext = (id: string) => `outbox:${id}`;

export class Outbox {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly sealer: Sealer,
  ) {}

  /** Queues a message inside the caller's transaction; answers its id. */
  async enqueue(trx: Tx, message: Message): Promise<string> {
    const id = newId("msg");
    const now = this.clock.now();
    await trx
      .insertInto("outbox")
      .values({
        id,
        kind: message.kind,
        message_sealed: this.sealer.seal(JSON.stringify(message), sealContext(id)),
        created_at: now,
        next_attempt_at: now,
        claimed_until: null,
        sent_at: null,
        failed_at: null,
        last_error: null,
      })
      .execute();
    return id;
  }

  /** Where a message stands: "sent", "failed", or "pending" (with the last error, if any). */
  async state(id: string): Promise<{ state: "sent" | "failed" | "pending"; error: string | null }> {
    const row = await this.storage.read
      .selectFrom("outbox")
      .select(["sent_at", "failed_at", "last_error"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return { state: "failed", error: "no such message" };
    const state = row.sent_at !== null ? "sent" : row.failed_at !== null ? "failed" : "pending";
    return { state, error: row.last_error };
  }

  /** Deletes up to `limit` delivered or failed messages older than `before` (the pruner). */
  static async prune(trx: Tx, before: number, limit: number): Promise<number> {
    const selected = trx
      .selectFrom("outbox")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([eb("sent_at", "is not", null), eb("sent_at", "<", before)]),
          eb.and([eb("failed_at", "is not", null), eb("failed_at", "<", before)]),
        ]),
      )
      .limit(limit);
    return deleteSelected(trx, "outbox", "id", selected);
  }

  /** Messages waiting, and when the oldest was queued (for /metrics). */
  async backlog(): Promise<{ count: number; oldestAt: number | null }> {
    const row = await this.storage.read
      .selectFrom("outbox")
      .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("created_at").as("oldest")])
      .where("sent_at", "is", null)
      .where("failed_at", "is", null)
      .executeTakeFirst();
    return {
      count: Number(row?.count ?? 0),
      oldestAt: row?.oldest == null ? null : Number(row.oldest),
    };
  }

  /** Claims and sends what is due; answers how many were sent. */
  async deliver(senders: Senders, log: FastifyBaseLogger): Promise<number> {
    const now = this.clock.now();
    const claim = now + CLAIM_MS;
    const claimed = await this.storage.write((trx) =>
      claimDue(
        trx,
        this.storage.dialect,
        "outbox",
        trx
          .selectFrom("outbox")
          .select(["id", "message_sealed", "attempts"])
          .where("sent_at", "is", null)
          .where("failed_at", "is", null)
          .where("next_attempt_at", "<=", now)
          .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
          .orderBy("next_attempt_at")
          .limit(BATCH),
        claim,
      ),
    );
    let sent = 0;
    for (const row of claimed) {
      try {
        const message = JSON.parse(this.sealer.open(row.message_sealed, sealContext(row.id)));
        await dispatch(senders, message as Message, row.id);
        await this.storage.write((trx) =>
          trx
            .updateTable("outbox")
            .set({ sent_at: this.clock.now(), claimed_until: null, last_error: null })
            .where("id", "=", row.id)
            .where("claimed_until", "=", claim)
            .execute(),
        );
        sent += 1;
      } catch (error) {
        const attempts = row.attempts + 1;
        const reason = error instanceof Error ? error.message.slice(0, 300) : String(error);
        log.warn({ message_id: row.id, attempts, err: reason }, "message not delivered");
        const later = this.clock.now();
        await this.storage.write((trx) =>
          trx
            .updateTable("outbox")
            .set({
              attempts,
              claimed_until: null,
              last_error: reason,
              next_attempt_at: later + 5000 * 2 ** (attempts - 1),
              failed_at: attempts >= MAX_ATTEMPTS ? later : null,
            })
            .where("id", "=", row.id)
            .where("claimed_until", "=", claim)
            .execute(),
        );
      }
    }
    return sent;
  }
}

/** Delivers what is due every `intervalMs`, and at once when nudged (after a send is queued). */
export function startOutboxWorker(
  outbox: Outbox,
  senders: Senders,
  log: FastifyBaseLogger,
  intervalMs = 2000,
): Worker {
  return startWorker("outbox run", () => outbox.deliver(senders, log), log, intervalMs);
}
