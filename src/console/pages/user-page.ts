// One of a partner's users (who sign in through login links; reached from Activity and a link's
// timeline): who they are, how many live sessions and unused links they hold, their newest links,
// and ending all of their sessions, or revoking all of their unused links, at once.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { html } from "../../pages/html.js";
import { type Deps, type PageKit, Partner, send, tabs } from "./page-kit.js";
import { badge, clipped, csrfField, table, when } from "./views.js";

type UserRequest = FastifyRequest<{ Params: { partnerId: string; userId: string } }>;

/** Where a user's page is (the partner's console users are under …/users: these are not them). */
export const userPath = (partnerId: string, userId: string) =>
  `/console/partners/${partnerId}/end-users/${userId}`;

/** What the two buttons end, and the words of the notice that counts it. */
const ENDINGS = {
  sessions: {
    button: "End all sessions",
    done: (n: number) =>
      n === 0
        ? "No live session to end."
        : `${n} ${n === 1 ? "session" : "sessions"} ended: the user is signed out of every app.`,
  },
  links: {
    button: "Revoke all unused login links",
    done: (n: number) =>
      n === 0
        ? "No unused login link to revoke."
        : `${n} unused login ${n === 1 ? "link" : "links"} revoked: none of them signs anyone in.`,
  },
} as const;
type Ending = keyof typeof ENDINGS;

/**
 * The notice after an ending: fixed words around a count read from the URL as a whole number,
 * so nothing else in the address ever reaches the page.
 */
function endingNotice(request: FastifyRequest) {
  const q = request.query as Record<string, unknown>;
  const ending = ENDINGS[q.done as Ending] as (typeof ENDINGS)[Ending] | undefined;
  if (!ending || typeof q.count !== "string" || !/^\d{1,9}$/.test(q.count)) return html``;
  return html`<div class="notice" role="status">${ending.done(Number(q.count))}</div>`;
}

export function userPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;

  scope.get(
    `${Partner}/end-users/:userId`,
    { schema: { hide: true } },
    async (request: UserRequest, reply) => {
      const session = await kit.viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const { user, liveSessions, liveLinks, links } = await management.getUser(
        session.viewer,
        partner.id,
        request.params.userId,
      );
      const base = `/console/partners/${partner.id}`;
      const here = userPath(partner.id, user.id);
      const button = (ending: Ending, live: number) =>
        html`<form class="inline" method="post" action="${here}/${ending}/revoke">${csrfField(session)}<button class="danger" type="submit"${live === 0 ? html` disabled` : ""}>${ENDINGS[ending].button}</button></form>`;
      const buttons =
        session.viewer.role === "viewer"
          ? html``
          : html`<p class="muted">Ending sessions signs the user out of every app now; revoking links stops the unused ones from signing anyone in. Neither stops the partner from minting new links for them.</p><div class="row">${button("sessions", liveSessions)}${button("links", liveLinks)}</div>`;
      const phone =
        user.phone_number === null ? "—" : `${user.phone_country_code ?? ""} ${user.phone_number}`;
      return send(reply, session, {
        title: `User ${user.external_id} · ${partner.name}`,
        active: session.viewer.kind === "operator" ? "/console/partners" : `${base}/activity`,
        body: html`<h1>User · ${partner.name}</h1>${endingNotice(request)}${tabs(partner.id, "/activity")}<p><a href="${base}/activity">Back to the activity</a></p><div class="card"><dl><dt>Partner's ID for them</dt><dd>${clipped(user.external_id)}</dd><dt>User ID</dt><dd><code>${user.id}</code></dd>${user.partner_id === partner.id ? "" : html`<dt>Account</dt><dd><code>${user.partner_id}</code> (a sub-account)</dd>`}<dt>Email</dt><dd>${user.email ?? "—"}</dd><dt>Name</dt><dd>${user.name ?? "—"}</dd><dt>Phone</dt><dd>${phone}</dd><dt>First seen</dt><dd>${when(Number(user.created_at))}</dd></dl></div><h2>Access now</h2><div class="card"><div class="stats"><p class="stat"><strong>${liveSessions}</strong> live ${liveSessions === 1 ? "session" : "sessions"}</p><p class="stat"><strong>${liveLinks}</strong> unused login ${liveLinks === 1 ? "link" : "links"}</p></div>${buttons}</div><h2>Newest login links</h2><p class="muted">The newest login links this partner made for the user; a link's ID opens its timeline.</p>${table(
          ["Created", "Link", "App", "Status", "Reason"],
          links.map((t) => [
            html`${when(t.created_at)}`,
            html`<a href="${base}/links/${t.id}"><code>${t.id}</code></a>`,
            clipped(t.app, true),
            badge(t.status),
            html`${t.reason ?? ""}`,
          ]),
          "No login links from this partner for this user.",
        )}`,
      });
    },
  );

  for (const ending of Object.keys(ENDINGS) as Ending[]) {
    scope.post(
      `${Partner}/end-users/:userId/${ending}/revoke`,
      { schema: { hide: true } },
      async (request: UserRequest, reply) => {
        const who = await kit.acting(request);
        const { partnerId, userId } = request.params;
        const count = await management.revokeUserAccess(
          who,
          partnerId,
          userId,
          ending === "sessions" ? "sessions" : "tickets",
        );
        return reply.redirect(`${userPath(partnerId, userId)}?done=${ending}&count=${count}`, 303);
      },
    );
  }
}
