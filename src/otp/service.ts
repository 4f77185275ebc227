// One-time codes at redemption (seed 002's `otp`): where the code goes, sending it (only on a
// POST, through the outbox), and taking it back. Codes are 6 digits, stored only as a hash bound
// to their ticket, valid 10 minutes; a ticket gets at most 3 sends, 30 s apart, and 5 wrong codes
// reject it (otp_failed). A destination gets at most 5 codes a minute and a partner 300, from
// this process, so nobody can use Handoff to flood an address.
import { randomInt } from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { Clock } from "../clock.js";
import { hashSecret } from "../crypto/secrets.js";
import type { CounterFactory } from "../db/counters.js";
import type { Storage, Tx } from "../db/database.js";
import type { Message, Outbox } from "../delivery/outbox.js";
import { Allowance } from "../http/allowance.js";
import { HandoffError } from "../http/errors.js";
import { html } from "../pages/html.js";
import { canonicalEmail } from "../users/service.js";
import type { OtpMode } from "./modes.js";
import type { OtpStore } from "./store.js";

export const OTP_RULES = {
  codeMs: 10 * 60_000,
  cooldownMs: 30_000,
  maxSends: 3,
  maxFailures: 5,
  perDestinationPerMinute: 5,
  perPartnerPerMinute: 300,
} as const;

/** `ada@example.com` → `a***@example.com`; `+919876543210` → `+91 ••••••3210`. */
export function maskDestination(destination: string): string {
  const phone = destination.startsWith("+") ? parsePhoneNumberFromString(destination) : undefined;
  if (phone) {
    const national = phone.nationalNumber;
    return `+${phone.countryCallingCode} ${"•".repeat(Math.max(0, national.length - 4))}${national.slice(-4)}`;
  }
  const at = destination.lastIndexOf("@");
  if (at < 1) return "***";
  return `${destination[0]}***${destination.slice(at)}`;
}

const codeHash = (ticketId: string, code: string) => hashSecret(`${ticketId}:${code}`);

const EMAIL = /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/;

export interface OtpView {
  mode: OtpMode;
  /** Where the code goes, masked; null while the person must still type the alternate address. */
  destination: string | null;
  sent: boolean;
  /** ms from now until another send is allowed (0: now), or null when no sends are left. */
  resendInMs: number | null;
  /** The message's delivery; "retrying": a try failed and another is due. */
  delivery: "sent" | "failed" | "pending" | "retrying" | null;
}

export class OtpService {
  readonly #perDestination: Allowance;
  readonly #perPartner: Allowance;

  constructor(
    private readonly storage: Storage,
    private readonly store: OtpStore,
    private readonly clock: Clock,
    private readonly outbox: Outbox,
    /** Whether messages of a kind can be sent (SMTP or an SMS sender, or the demo's mailbox). */
    private readonly canSend: (kind: "email" | "sms") => boolean,
    /** Called after a code is queued, so the worker sends it at once. */
    private readonly nudge: () => void,
    counters: CounterFactory,
  ) {
    const { perDestinationPerMinute: destination, perPartnerPerMinute: partner } = OTP_RULES;
    this.#perDestination = new Allowance("otp-destination", destination, counters);
    this.#perPartner = new Allowance("otp-partner", partner, counters);
  }

  /**
   * Where a new ticket's codes will go, checked at mint so a partner hears of a missing
   * destination then, not its user at redemption. Null for `none`.
   */
  destinationAtMint(
    mode: OtpMode,
    user: { email: string | null; phone: string | null },
    fields: Record<string, unknown> | undefined,
  ): string | null {
    if (mode === "none") return null;
    const kind = mode === "primary_phone" ? "sms" : "email";
    if (!this.canSend(kind)) {
      throw new HandoffError(
        "invalid_request",
        kind === "sms"
          ? "one-time codes by SMS need the platform's SMS sender (HANDOFF_SMS_WEBHOOK_URL or HANDOFF_TWILIO_ACCOUNT_SID)"
          : "one-time codes by email need the platform's mail server (HANDOFF_SMTP_URL)",
      );
    }
    if (mode === "primary_phone") {
      if (!user.phone) {
        throw new HandoffError(
          "invalid_request",
          "otp primary_phone needs the user's phone number with its country code (E.164: + and 8 to 15 digits)",
        );
      }
      return user.phone;
    }
    if (mode === "primary_email") {
      if (!user.email)
        throw new HandoffError("invalid_request", "otp primary_email needs the user's email");
      return user.email;
    }
    const settings = (fields?.email ?? {}) as { support_alternate?: unknown };
    if (settings.support_alternate === false) {
      throw new HandoffError(
        "invalid_request",
        "otp alternate_email needs email.support_alternate (it is false)",
      );
    }
    return "";
  }

  /** Records the destination with the ticket, in the mint's transaction. */
  async atMint(trx: Tx, ticketId: string, destination: string): Promise<void> {
    await this.store.create(trx, ticketId, destination);
  }

  async view(ticketId: string, mode: OtpMode): Promise<OtpView> {
    const row = await this.store.find(ticketId);
    const now = this.clock.now();
    if (!row) return { mode, destination: null, sent: false, resendInMs: null, delivery: null };
    const left = row.sends < OTP_RULES.maxSends;
    const wait = row.last_sent_at === null ? 0 : row.last_sent_at + OTP_RULES.cooldownMs - now;
    const state = row.outbox_id ? await this.outbox.state(row.outbox_id) : null;
    const delivery =
      state?.state === "pending" && state.error !== null ? "retrying" : (state?.state ?? null);
    return {
      mode,
      destination: row.destination ? maskDestination(row.destination) : null,
      sent: row.code_hash !== null && (row.code_expires_at ?? 0) >= now,
      resendInMs: left ? Math.max(0, wait) : null,
      delivery,
    };
  }

  /** Whether the link's last code has run out (a code entered then is refused as expired). */
  async codeExpired(ticketId: string): Promise<boolean> {
    const row = await this.store.find(ticketId);
    return row?.code_hash != null && (row.code_expires_at ?? 0) < this.clock.now();
  }

  /**
   * Makes a new code and queues its message, in one transaction: both or neither. For
   * alternate_email the person's address comes with the first send (and may change on a resend).
   */
  async send(
    ticket: { id: string; otp: OtpMode; partnerId: string; appName: string },
    alternate?: string,
  ): Promise<void> {
    const row = await this.store.find(ticket.id);
    if (!row) throw new HandoffError("not_found", "this link asks for no code");
    let destination = row.destination;
    if (ticket.otp === "alternate_email") {
      const typed = alternate?.trim() ?? "";
      if (typed) {
        if (!EMAIL.test(typed) || typed.length > 254) {
          throw new HandoffError("invalid_request", "that is not an email address");
        }
        destination = typed;
      }
      if (!destination) throw new HandoffError("invalid_request", "type the address for the code");
    }
    const now = this.clock.now();
    if (row.sends >= OTP_RULES.maxSends) {
      throw new HandoffError("rate_limited", "no more codes for this link; ask for a new link");
    }
    if (row.last_sent_at !== null && now - row.last_sent_at < OTP_RULES.cooldownMs) {
      const seconds = Math.ceil((row.last_sent_at + OTP_RULES.cooldownMs - now) / 1000);
      throw new HandoffError("rate_limited", `wait ${seconds} s before asking for another code`, {
        headers: { "retry-after": String(seconds) },
      });
    }
    for (const [allowance, key] of [
      [
        this.#perDestination,
        ticket.otp === "primary_phone" ? destination : canonicalEmail(destination),
      ],
      [this.#perPartner, ticket.partnerId],
    ] as const) {
      const wait = await allowance.take(key);
      if (wait !== null) {
        throw new HandoffError("rate_limited", "too many codes right now; try again shortly", {
          headers: { "retry-after": String(wait) },
        });
      }
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const sent = await this.storage.write(async (trx) => {
      const outboxId = await this.outbox.enqueue(
        trx,
        message(ticket.otp, destination, code, ticket.appName),
      );
      const recorded = await this.store.recordSend(trx, ticket.id, {
        destination,
        codeHash: codeHash(ticket.id, code),
        expiresAt: now + OTP_RULES.codeMs,
        now,
        cooldownMs: OTP_RULES.cooldownMs,
        maxSends: OTP_RULES.maxSends,
        outboxId,
      });
      // A concurrent send won: this one's message must not go out either.
      if (!recorded) throw new HandoffError("rate_limited", "a code was just sent; use that one");
      return recorded;
    });
    if (sent) this.nudge();
  }

  /** Spends the right code inside the redemption's transaction; false for a wrong or dead one. */
  consume(trx: Tx, ticketId: string, code: string, now: number): Promise<boolean> {
    const presented = code.replace(/\s+/g, "");
    if (!/^[0-9]{6}$/.test(presented)) return Promise.resolve(false);
    return this.store.consume(
      trx,
      ticketId,
      codeHash(ticketId, presented),
      now,
      OTP_RULES.maxFailures,
    );
  }

  /** Counts a wrong code; true when it was the last one allowed (the ticket must be rejected). */
  async countFailure(trx: Tx, ticketId: string): Promise<boolean> {
    return (await this.store.countFailure(trx, ticketId)) >= OTP_RULES.maxFailures;
  }
}

function message(mode: OtpMode, to: string, code: string, appName: string): Message {
  if (mode === "primary_phone") {
    return {
      kind: "sms",
      to,
      text: `${code} is your code to sign in to ${appName}. It works for 10 minutes, once.`,
    };
  }
  return {
    kind: "email",
    to,
    subject: `${code} is your code for ${appName}`,
    text: `Your code to sign in to ${appName} is ${code}.\n\nIt works for 10 minutes, once. If you did not ask for it, ignore this message: nobody can sign in without it.\n`,
    html: html`<p>Your code to sign in to <strong>${appName}</strong> is</p><p style="font-size:1.6em;letter-spacing:.2em"><strong>${code}</strong></p><p>It works for 10 minutes, once. If you did not ask for it, ignore this message: nobody can sign in without it.</p>`
      .value,
  };
}
