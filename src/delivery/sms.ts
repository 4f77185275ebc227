// Senders of text messages (one-time codes to primary_phone). Two shapes, chosen in config:
// - a webhook to the platform's own SMS gateway, signed as Standard Webhooks specifies
//   (`webhook-id`, `webhook-timestamp`, `webhook-signature`; the `standardwebhooks` package);
// - Twilio's Messages API (`POST {base}/2010-04-01/Accounts/{sid}/Messages.json`), whose base URL
//   is configurable so any service that speaks that shape, or a test double, can take it.
// A non-2xx answer or no answer within the timeout throws, and the outbox tries again later.
import { Webhook } from "standardwebhooks";
import { SEND_TIMEOUT_MS, type Sender, type SmsMessage } from "./outbox.js";

async function post(url: string, init: RequestInit, what: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: "error",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === "TimeoutError" ? "no answer in 10 s" : "unreachable";
    throw new Error(`${what}: ${reason}`);
  }
  // Drain the body so the connection can be reused; its content may echo the message: never log it.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`${what} answered ${response.status}`);
}

/** POSTs `{type: "sms.send", timestamp, data: {to, text}}`, signed; `webhook-id` is the outbox id. */
export class WebhookSmsSender implements Sender<SmsMessage> {
  readonly #webhook: Webhook;

  constructor(
    private readonly url: string,
    secret: string,
  ) {
    this.#webhook = new Webhook(secret);
  }

  async send(message: SmsMessage, id: string): Promise<void> {
    const at = new Date();
    const body = JSON.stringify({
      type: "sms.send",
      timestamp: at.toISOString(),
      data: { to: message.to, text: message.text },
    });
    await post(
      this.url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": this.#webhook.sign(id, at, body),
        },
        body,
      },
      "the SMS gateway",
    );
  }
}

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A sending number (E.164) or a Messaging Service SID (`MG…`). */
  from: string;
  baseUrl: string;
}

/** Twilio's Messages API: a form POST with basic authentication (account SID and auth token). */
export class TwilioSmsSender implements Sender<SmsMessage> {
  constructor(private readonly options: TwilioOptions) {}

  async send(message: SmsMessage): Promise<void> {
    const { accountSid, authToken, from, baseUrl } = this.options;
    const form = new URLSearchParams({ To: message.to, Body: message.text });
    form.set(/^MG[0-9a-f]{32}$/i.test(from) ? "MessagingServiceSid" : "From", from);
    const url = `${baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
    await post(
      url,
      {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: form.toString(),
      },
      "the SMS service",
    );
  }
}
