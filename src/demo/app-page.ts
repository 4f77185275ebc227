// The demo app: a page that greets whoever the session cookie belongs to, using the same check
// as forward-auth; the demo's first login link lands here. Mounted only with the demo (app.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.js";
import type { DemoMailbox } from "../delivery/mail.js";
import { html, sendPage } from "../pages/html.js";
import type { SessionService } from "../sessions/service.js";

/** What the demo's pages use. */
export interface DemoPageDeps {
  config: Config;
  sessions: SessionService;
  /** The demo's mailbox, where one-time codes land when nothing real is configured. */
  mailbox: DemoMailbox | null;
}

import { sessionCookieName } from "../sessions/cookies.js";

export async function demoAppRoutes(app: FastifyInstance, services: DemoPageDeps): Promise<void> {
  const cookieName = sessionCookieName(services.config);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await services.sessions.check(request.cookies[cookieName]);
    if (!session) {
      return sendPage(reply, {
        status: 401,
        title: "Demo app: not signed in",
        body: html`<main><h1>Demo app</h1><p>You are not signed in. Open a login link from your partner's site to come here signed in.</p></main>`,
      });
    }
    const user = session.name ?? session.email ?? session.externalId;
    const path = new URL(request.url, "http://x").pathname;
    return sendPage(reply, {
      title: `Demo app: hello ${user}`,
      body: html`<main><h1>Hello, ${user}</h1><p>You are signed in to the demo app through Handoff.</p><dl><dt>User</dt><dd id="user">${session.userId}</dd><dt>Partner's id</dt><dd id="external-id">${session.externalId}</dd><dt>Email</dt><dd id="email">${session.email ?? "-"}</dd><dt>Partner</dt><dd id="partner">${session.accountId}</dd><dt>Page</dt><dd id="page">${path}</dd></dl><form method="post" action="/logout"><button type="submit">Sign out</button></form></main>`,
    });
  };
  app.get("/demo/app", { schema: { hide: true } }, handler);
  app.get("/demo/app/*", { schema: { hide: true } }, handler);

  // The demo's mailbox: with no SMTP server configured, one-time codes land here (never in
  // production: without the demo there is no mailbox, and a code by email needs SMTP).
  app.get("/demo/mailbox", { schema: { hide: true } }, async (_request, reply) => {
    const messages = services.mailbox?.messages ?? [];
    return sendPage(reply, {
      title: "Demo mailbox",
      body: html`<main><h1>Demo mailbox</h1><p class="muted">Mail and text messages Handoff would have sent, newest first (the demo has no mail server or SMS sender; see docs/otp.md to set them up).</p>${
        messages.length === 0
          ? html`<p>No mail yet.</p>`
          : messages.map(
              (m) =>
                html`<article><h2>${m.kind === "sms" ? "Text message" : m.subject}</h2><p class="muted">To ${m.to}, ${new Date(m.at).toISOString()}</p><pre>${m.text}</pre></article>`,
            )
      }</main>`,
    });
  });
}
