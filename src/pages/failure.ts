// The page for a failed sign-in, shared by every face a browser meets (login links, OIDC, SAML):
// the reason's status and words (src/http/errors.ts), and a way back.
import type { FastifyReply, FastifyRequest } from "fastify";
import { clientIp } from "../http/client-ip.js";
import { HandoffError, type PageFailure, pageFailureCatalogue } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { html, sendPage } from "./html.js";

/** The app a failure page offers a way back to, when it has one. */
export interface WayBack {
  name: string;
  failureUrl: string | null;
}

/** Where the person goes next when the app has no failure URL: the same link only if it still works. */
function nextStep(reason: PageFailure): string {
  switch (reason) {
    case "cross_site":
    case "rate_limited":
    case "unavailable":
      return "Go back to the site you came from and open the link again.";
    case "no_session":
    case "step_expired":
      return "Go back to your partner's site and open the app from there.";
    default:
      return "Go back to the site that sent the link and ask it for a new link.";
  }
}

/** The page for a failed sign-in (src/http/errors.ts holds each reason's status and words). */
export function failurePage(
  reply: FastifyReply,
  reason: PageFailure,
  app: WayBack | null,
): FastifyReply {
  const { status, title, text } = pageFailureCatalogue[reason];
  const back = app?.failureUrl
    ? html`<p><a href="${app.failureUrl}">Go back to ${app.name}</a></p>`
    : html`<p class="muted">${nextStep(reason)}</p>`;
  return sendPage(reply, {
    status,
    title,
    body: html`<main><h1>${title}</h1><p>${text}</p>${back}<p class="muted">Reason: ${reason}</p></main>`,
  });
}

/**
 * The failure page for a guess (an unknown login link): charged to the client's address, and
 * past its allowance the rate-limited page instead. A real link is never charged or refused.
 */
export async function chargedFailurePage(
  failures: FailureLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
  reason: PageFailure,
  app: WayBack | null,
): Promise<FastifyReply> {
  try {
    await failures.fail(clientIp(request), request.log);
  } catch (error) {
    if (!(error instanceof HandoffError && error.code === "rate_limited")) throw error;
    reply.headers(error.headers);
    return failurePage(reply, "rate_limited", null);
  }
  return failurePage(reply, reason, app);
}
