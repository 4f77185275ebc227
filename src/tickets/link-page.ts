// The page in front of a login link, for every shape's link (`/login/…`, the seeds' own).
import type { FastifyReply } from "fastify";
import { otpPage } from "../otp/page.js";
import type { OtpService } from "../otp/service.js";
import { failurePage } from "../pages/failure.js";
import { html, sendPage } from "../pages/html.js";
import type { TicketService } from "./service.js";

/** What the page uses. */
export interface LinkPageDeps {
  otp: OtpService;
  tickets: TicketService;
}

/**
 * The page in front of a login link (any shape's: `/login/…`, Xoxoday's redirect …). It reads
 * the ticket but never uses it; the form continues with a POST to `/login/{ticket}`.
 */
export async function loginPage(
  services: LinkPageDeps,
  ticket: string,
  reply: FastifyReply,
  /** The browser's address: a dead link's page is noted on the ticket (TicketService.preview). */
  ip: string,
  landing?: { view: string; accountId: string },
): Promise<FastifyReply> {
  const preview = await services.tickets.preview(ticket, ip);
  if (!preview.ok) {
    return failurePage(reply, preview.reason, preview.app);
  }
  if (
    landing &&
    (landing.accountId !== preview.accountId || !preview.landings.includes(landing.view))
  ) {
    return failurePage(reply, "not_found", null);
  }
  const action = landing
    ? `/login/${ticket}?view=${encodeURIComponent(landing.view)}`
    : `/login/${ticket}`;
  if (preview.otp !== "none") return otpPage(services.otp, reply, ticket, preview, action);
  const target = new URL(preview.app.baseUrl).origin;
  return sendPage(reply, {
    title: `Signing you in to ${preview.app.name}`,
    autoSubmit: true,
    formTargets: [target],
    body: html`<main><h1>Signing you in to ${preview.app.name}…</h1><form id="continue" method="post" action="${action}"><noscript><p>Press the button to continue.</p></noscript><button type="submit">Continue</button></form></main>`,
  });
}
