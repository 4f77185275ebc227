// Senders of mail: SMTP through nodemailer (HANDOFF_SMTP_URL), or, with the demo and no SMTP,
// the demo mailbox: a page under /demo/ that shows what would have been sent, so a newcomer can
// finish a sign-in with a one-time code. Production without SMTP has no sender at all.
import nodemailer, { type Transporter } from "nodemailer";
import type { MailMessage, MailSender } from "./outbox.js";

export class SmtpSender implements MailSender {
  readonly #transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.#transport = nodemailer.createTransport(url);
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.#transport.close();
  }
}

/** The demo's mailbox: the last 50 messages, in this process only. */
export class DemoMailbox implements MailSender {
  readonly messages: (MailMessage & { at: number })[] = [];

  async send(message: MailMessage): Promise<void> {
    this.messages.unshift({ ...message, at: Date.now() });
    this.messages.length = Math.min(this.messages.length, 50);
  }
}
