// Mail and SMS delivery: the sealed outbox, who delivers it (SMTP, an SMS sender, or the demo's
// mailbox), and the worker that sends what is due.
import type { FastifyBaseLogger } from "fastify";
import type { Worker } from "../jobs/worker.js";
import type { Foundation, Module } from "../module.js";
import { DemoMailbox, SmtpSender } from "./mail.js";
import { Outbox, type Senders, startOutboxWorker } from "./outbox.js";
import { TwilioSmsSender, WebhookSmsSender } from "./sms.js";

const DAY_MS = 24 * 3600 * 1000;

export interface DeliveryModule extends Module {
  outbox: Outbox;
  /** Whether messages of a kind can be sent. */
  canSend: (kind: "email" | "sms") => boolean;
  /** Asks the worker to deliver now (after a code is queued). */
  nudge: () => void;
  /** The demo's mailbox, where messages land when nothing real is configured. */
  mailbox: DemoMailbox | null;
}

/** `demo`: whether this process serves the demo (only then may a mailbox stand in for senders). */
export function deliveryModule(deps: Foundation & { demo: boolean }): DeliveryModule {
  const { database, clock, config, sealer } = deps;
  const smtp = config.smtpUrl ? new SmtpSender(config.smtpUrl, config.mailFrom) : null;
  const sms =
    config.sms?.kind === "webhook"
      ? new WebhookSmsSender(config.sms.url, config.sms.secret)
      : config.sms?.kind === "twilio"
        ? new TwilioSmsSender(config.sms)
        : null;
  // The demo's mailbox only where nothing real is configured: a deployment with a mail server
  // must never show a code (by SMS or otherwise) on a public page.
  const mailbox = deps.demo && !smtp && !sms ? new DemoMailbox() : null;
  const senders: Senders = { email: smtp ?? mailbox, sms: sms ?? mailbox };
  const outbox = new Outbox(database, clock, sealer);
  let worker: Worker | null = null;
  const start = (log: FastifyBaseLogger) => {
    worker = startOutboxWorker(outbox, senders, log);
    return worker;
  };
  return {
    outbox,
    canSend: (kind) => senders[kind] !== null,
    nudge: () => worker?.nudge(),
    mailbox,
    jobs: senders.email || senders.sms ? [start] : [],
    // Delivered (or given-up) messages hold sealed one-time codes: kept a day, for the step's
    // "sent" / "failed" and for support, then gone.
    prune: [
      { name: "outbox", step: (trx, at, limit) => Outbox.prune(trx, at.now - DAY_MS, limit) },
    ],
    close: () => smtp?.close(),
  };
}
