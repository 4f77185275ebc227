// Local SMS receivers for the one-time-code tests, on loopback: the platform's own gateway, which
// checks each webhook's Standard Webhooks signature with the `standardwebhooks` package, and a
// stand-in for Twilio's Messages API, which checks the account's basic authentication. Each keeps
// what it accepted, and can be told to fail the next requests.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface SmsReceived {
  to: string;
  text: string;
  /** The webhook-id (the gateway) or null (Twilio). */
  id: string | null;
  from?: string;
}

export interface SmsReceiver {
  url: string;
  received: SmsReceived[];
  /** Requests refused (a bad signature or credentials) or failed on purpose. */
  refused: number;
  /** The next `n` requests answer 500. */
  failNext(n: number): void;
  /** The code in the newest text to `to` (past the first `after`), waiting up to 10 s. */
  codeFor(to: string, after?: number): Promise<string>;
  close(): Promise<void>;
}

const bodyOf = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

async function receiver(
  accept: (request: IncomingMessage, body: string) => SmsReceived | null,
  path = "",
  port = 0,
): Promise<SmsReceiver> {
  const received: SmsReceived[] = [];
  let failing = 0;
  const state = { refused: 0 };
  const server: Server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const message = accept(request, body);
    if (!message || failing > 0) {
      if (message) failing -= 1;
      state.refused += 1;
      response.writeHead(message ? 500 : 401).end();
      return;
    }
    received.push(message);
    response.writeHead(201, { "content-type": "application/json" }).end('{"status":"queued"}');
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    get refused() {
      return state.refused;
    },
    failNext(n) {
      failing = n;
    },
    async codeFor(to, after = 0) {
      for (let i = 0; i < 200; i++) {
        const found = received
          .filter((m) => m.to === to)
          .slice(after)
          .at(-1);
        const code = found?.text.match(/\b([0-9]{6})\b/)?.[1];
        if (code) return code;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no text message to ${to}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The platform's SMS gateway: verifies the signature with the secret Handoff was given. */
export async function startSmsGateway(
  options: { port?: number; secret?: string } = {},
): Promise<SmsReceiver & { secret: string }> {
  const secret = options.secret ?? `whsec_${randomBytes(32).toString("base64")}`;
  const webhook = new Webhook(secret);
  const gateway = await receiver(
    (request, body) => {
      try {
        const event = webhook.verify(body, request.headers as Record<string, string>) as {
          type: string;
          data: { to: string; text: string };
        };
        if (event.type !== "sms.send") return null;
        return { ...event.data, id: String(request.headers["webhook-id"]) };
      } catch {
        return null;
      }
    },
    "/sms",
    options.port,
  );
  return Object.assign(gateway, { secret });
}

export const TWILIO = {
  accountSid: `AC${"0123456789abcdef".repeat(2)}`,
  authToken: randomBytes(16).toString("hex"),
  from: "+15005550006",
};

/** Twilio's Messages API shape: the account's path, basic auth, a form with To, From, Body. */
export async function startTwilio(): Promise<SmsReceiver> {
  const auth = `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString("base64")}`;
  return receiver((request, body) => {
    if (request.url !== `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`) return null;
    if (request.headers.authorization !== auth) return null;
    if (request.headers["content-type"] !== "application/x-www-form-urlencoded") return null;
    const form = new URLSearchParams(body);
    return {
      to: form.get("To") ?? "",
      text: form.get("Body") ?? "",
      from: form.get("From") ?? "",
      id: null,
    };
  });
}
