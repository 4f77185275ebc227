// Senders of mail: SMTP through nodemailer (HANDOFF_SMTP_URL), or, with the demo and no SMTP,
// the demo mailbox: a page under /demo/ that shows what would have been sent (mail and text
// messages), so a newcomer can finish a sign-in with a one-time code. Production without SMTP has
// no mail sender at all.
import nodemailer, { type Transporter } from "nodemailer";
import { type MailMessage, type Message, SEND_TIMEOUT_MS, type Sender } from "./outbox.js";

export class SmtpSender implements Sender<MailMessage> {
  readonly #transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    // Bounded, so a stuck mail server cannot hold a message past its outbox claim (nodemailer
    // reads its options from the URL's query; the operator's own values win).
    const bounded = new URL(url);
    for (const option of ["connectionTimeout", "greetingTimeout", "socketTimeout"]) {
      if (!bounded.searchParams.has(option)) {
        bounded.searchParams.set(option, String(SEND_TIMEOUT_MS));
      }
    }
    this.#transport = nodemailer.createTransport(bounded.href);
  }

  async send(message: MailMessage, id: string): Promise<void> {
    const { to, subject, text, html } = message;
    // The outbox id as Message-ID: a message sent twice (a crash after the server took it) is
    // one message to a mail client that drops duplicates.
    await this.#transport.sendMail({
      from: this.from,
      to,
      subject,
      text,
      html,
      messageId: `<${id}@handoff>`,
    });
  }

  close(): void {
    this.#transport.close();
  }
}

/** The demo's mailbox: the last 50 messages (mail and text), in this process only. */
export class DemoMailbox implements Sender<Message> {
  readonly messages: (Message & { at: number })[] = [];

  async send(message: Message): Promise<void> {
    this.messages.unshift({ ...message, at: Date.now() });
    this.messages.length = Math.min(this.messages.length, 50);
  }
}
