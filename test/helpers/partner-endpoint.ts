// A partner's call-back endpoint for the tests, on loopback: it verifies each call's Standard
// Webhooks signature with the `standardwebhooks` package and keeps what it accepted; what it
// answers is set per test (status, body, a delay, a redirect).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface PartnerCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  verified: boolean;
}

export interface PartnerEndpoint {
  url: string;
  calls: PartnerCall[];
  /** The secret Handoff signs with (set after registering the endpoint). */
  secret: string | null;
  answer: { status: number; body: string; delayMs?: number; location?: string };
  close(): Promise<void>;
}

export async function startPartnerEndpoint(): Promise<PartnerEndpoint> {
  const endpoint: PartnerEndpoint = {
    url: "",
    calls: [],
    secret: null,
    answer: { status: 200, body: '{"ok":true}' },
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let verified = false;
    try {
      if (endpoint.secret) {
        new Webhook(endpoint.secret).verify(raw, request.headers as Record<string, string>);
        verified = true;
      }
    } catch {
      verified = false;
    }
    endpoint.calls.push({
      path: request.url ?? "",
      headers: request.headers,
      body: raw ? JSON.parse(raw) : null,
      verified,
    });
    const { status, body, delayMs, location } = endpoint.answer;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (response.destroyed) return;
    response
      .writeHead(status, { "content-type": "application/json", ...(location ? { location } : {}) })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}
