// The one-time-code step's page (in front of a login link whose ticket asks for a code).
import type { FastifyReply } from "fastify";
import { html, sendPage } from "../pages/html.js";
import type { Preview } from "../tickets/model.js";
import type { OtpService } from "./service.js";

/**
 * The one-time-code step in front of a link whose ticket asks for one: where the code goes, a
 * button that sends it (a POST: a GET never sends anything, so link scanners cannot spend
 * codes), and the field for the code. The person can always go back to the partner's site.
 */
export async function otpPage(
  otp: OtpService,
  reply: FastifyReply,
  ticket: string,
  preview: Extract<Preview, { ok: true }>,
  action: string,
  problem?: { status: number; message: string },
): Promise<FastifyReply> {
  const view = await otp.view(preview.ticketId, preview.otp);
  const app = preview.app;
  const alternate = preview.otp === "alternate_email";
  const where = view.destination
    ? html`<strong>${view.destination}</strong>`
    : html`an address you choose`;
  const addressField = alternate
    ? html`<p><label for="alternate">Email address for the code</label><br><input id="alternate" name="alternate" type="email" autocomplete="email" required></p>`
    : html``;
  const sendLabel = view.sent ? "Send a new code" : "Send me a code";
  const canSend = view.resendInMs !== null && view.resendInMs === 0;
  const sendForm =
    view.resendInMs === null
      ? html`<p class="muted">No more codes can be sent for this link.</p>`
      : canSend
        ? html`<form method="post" action="/login/${ticket}/otp">${addressField}<button type="submit"${view.sent ? html` class="secondary"` : ""}>${sendLabel}</button></form>`
        : html`<p class="muted">You can ask for a new code in ${Math.ceil(view.resendInMs / 1000)} s.</p>`;
  const delivery =
    view.delivery === "failed"
      ? html`<p role="alert">The message could not be delivered. Ask for a new code, or go back and try later.</p>`
      : view.delivery === "retrying"
        ? html`<p role="status">The message could not be delivered yet; Handoff is trying again.</p>`
        : view.delivery === "pending"
          ? html`<p class="muted">The message is on its way.</p>`
          : html``;
  const codeForm = view.sent
    ? html`<form method="post" action="${action}"><p><label for="code">The 6-digit code</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required></p><button type="submit">Continue</button></form>`
    : html``;
  const back = app.failureUrl
    ? html`<p><a href="${app.failureUrl}">Go back to ${app.name}</a></p>`
    : html`<p class="muted">To stop here, close this page and go back to the site you came from.</p>`;
  return sendPage(reply, {
    status: problem?.status ?? 200,
    title: `A code to sign in to ${app.name}`,
    formTargets: [new URL(app.baseUrl).origin],
    body: html`<main><h1>A code to sign in to ${app.name}</h1>${problem ? html`<p role="alert"><strong>${problem.message}</strong></p>` : ""}<p>${view.sent ? html`We sent a code to ${where}. It works for 10 minutes.` : html`We will send a one-time code to ${where}.`}</p>${delivery}${codeForm}${sendForm}${back}</main>`,
  });
}
