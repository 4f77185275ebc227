// One login link's timeline (reached from Activity): what happened to it, in time order, with
// every detail whole: minted, its page opened, one-time codes, redeemed or refused and why, the
// session it made and that session's end.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Html, html } from "../../pages/html.js";
import type { TimelineEvent } from "../management-timeline.js";
import { type Deps, type PageKit, Partner, send, tabs } from "./page-kit.js";
import { userPath } from "./user-page.js";
import { badge, csrfField, detailText, instant, table, when } from "./views.js";

type LinkRequest = FastifyRequest<{ Params: { partnerId: string; ticketId: string } }>;

/** A step of the timeline in words. */
function stepText(event: TimelineEvent): Html {
  const dead = event.outcome === "ok" ? "" : ` (the link was already ${event.outcome})`;
  switch (event.step) {
    case "minted":
      return html`Minted by <code>${event.actor}</code>`;
    case "page_opened":
      return html`Page opened${dead}`;
    case "otp_sent":
      return html`One-time code sent`;
    case "otp_wrong":
      return html`Wrong one-time code entered`;
    case "otp_entered":
      return html`One-time code entered`;
    case "redeemed":
      return html`Redeemed: signed in`;
    case "refused":
      return html`Refused: ${event.outcome}`;
    case "revoked":
      return html`Revoked`;
    case "expired":
      return html`Expired unused`;
    case "session_ended":
      return html`Session ended: ${event.outcome}`;
  }
}

/** Notes that only the rows know, shown beside their step. */
function notes(event: TimelineEvent): string {
  if (event.step === "otp_sent") {
    const sends = Number(event.detail?.sends ?? 1);
    return sends > 1 ? `${sends} codes sent in all; this is the last` : "";
  }
  return detailText(event.detail);
}

export function timelinePage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;

  scope.get(
    `${Partner}/links/:ticketId`,
    { schema: { hide: true } },
    async (request: LinkRequest, reply) => {
      const session = await kit.viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const {
        ticket,
        session: made,
        events,
      } = await management.ticketTimeline(session.viewer, partner.id, request.params.ticketId);
      const base = `/console/partners/${partner.id}`;
      const revoke =
        ticket.status === "issued" && session.viewer.role !== "viewer"
          ? html`<form method="post" action="${base}/links/${ticket.id}/revoke">${csrfField(session)}<button class="secondary" type="submit">Revoke</button></form>`
          : html``;
      const madeText = made
        ? html`<code>${made.id}</code>, started ${when(made.createdAt)}, ${
            made.endedAt !== null
              ? html`ended ${when(made.endedAt)} (${made.endReason ?? "ended"})`
              : html`ends at the latest ${when(made.expiresAt)}`
          }`
        : html`none`;
      return send(reply, session, {
        title: `Login link ${ticket.id} · ${partner.name}`,
        active: session.viewer.kind === "operator" ? "/console/partners" : `${base}/activity`,
        body: html`<h1>Login link · ${partner.name}</h1>${tabs(partner.id, "/activity")}<p><a href="${base}/activity">Back to the activity</a></p><div class="card"><dl><dt>Link</dt><dd><code>${ticket.id}</code></dd><dt>Status</dt><dd>${badge(ticket.status)} ${ticket.reason ?? ""}</dd><dt>User</dt><dd><a href="${userPath(partner.id, ticket.user_id)}"><code>${ticket.user_id}</code></a></dd><dt>App</dt><dd><code>${ticket.app}</code></dd><dt>Created</dt><dd>${when(ticket.created_at)}</dd><dt>Expires</dt><dd>${when(ticket.expires_at)}</dd><dt>Session it made</dt><dd>${madeText}</dd></dl>${revoke}</div><h2>What happened</h2><p class="muted">Oldest first. Times are the server's, to the second.</p>${table(
          ["When", "What", "Outcome", "From", "Details"],
          events.map((e) => [
            html`${instant(e.at)}`,
            stepText(e),
            badge(e.outcome),
            html`${e.ip ?? ""}`,
            html`<span class="wrap">${notes(e)}</span>`,
          ]),
          "Nothing is recorded for this link.",
        )}`,
      });
    },
  );
}
