// What happened, for partners: their login links and events ("why did this login fail?"),
// and copy-paste integration snippets with their own ids.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { html } from "../../pages/html.js";
import {
  type Deps,
  type Form,
  notice,
  type PageKit,
  Partner,
  type PartnerRequest,
  send,
  str,
  tabs,
} from "./page-kit.js";
import { userPath } from "./user-page.js";
import { badge, clipped, csrfField, detailText, table, when } from "./views.js";

/** Activity and Integration. */
export function activityPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  activityPage(scope, services, kit);
  linkRevokePage(scope, services, kit);
  integrationPage(scope, services, kit);
}

/** Revoking one unused login link from the Activity table (admins; viewers are refused). */
function linkRevokePage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  scope.post(
    `${Partner}/links/:ticketId/revoke`,
    { schema: { hide: true } },
    async (request: FastifyRequest<{ Params: { partnerId: string; ticketId: string } }>, reply) => {
      const who = await kit.acting(request);
      const { partnerId, ticketId } = request.params;
      await services.management.revokeTicket(who, partnerId, ticketId);
      return reply.redirect(`/console/partners/${partnerId}/activity?done=link_revoked`, 303);
    },
  );
}

/** Activity: "why did this login fail?" */
function activityPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get(
    `${Partner}/activity`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      // Each table pages on its own: `tickets_before` and `events_before` are the time of the
      // last row seen (ms).
      const q = request.query as Form;
      const cursor = (name: string) => {
        const value = Number(str(q, name));
        return str(q, name) && Number.isSafeInteger(value) ? value : undefined;
      };
      const page = { limit: 50 };
      const tickets = await management.listTickets(session.viewer, partner.id, {
        ...page,
        before: cursor("tickets_before"),
      });
      const entries = await management.activity(session.viewer, partner.id, {
        ...page,
        before: cursor("events_before"),
      });
      const older = (name: string, at: number | undefined, label: string) =>
        at !== undefined
          ? html`<p><a href="/console/partners/${partner.id}/activity?${name}=${at}">${label}</a></p>`
          : html``;
      const lastTicket = tickets.length === page.limit ? tickets.at(-1) : undefined;
      const lastEntry = entries.length === page.limit ? entries.at(-1) : undefined;
      const linkTo = (id: string) =>
        html`<a href="/console/partners/${partner.id}/links/${id}"><code>${id}</code></a>`;
      const userLink = (id: string) =>
        html`<a href="${userPath(partner.id, id)}">${clipped(id, true)}</a>`;
      // An event about a login link links to its timeline, where its details are whole too; one
      // about a user, to their page.
      const subject = (e: (typeof entries)[number]) =>
        e.subject && e.action.startsWith("ticket.")
          ? linkTo(e.subject)
          : e.subject && e.action.startsWith("user.")
            ? userLink(e.subject)
            : html`<code>${e.subject ?? ""}</code>`;
      return send(reply, session, {
        title: `Activity · ${partner.name}`,
        active:
          session.viewer.kind === "operator"
            ? "/console/partners"
            : `/console/partners/${partner.id}/activity`,
        body: html`<h1>Activity · ${partner.name}</h1>${notice(request)}${tabs(partner.id, "/activity")}<h2>Login links</h2><p class="muted">The newest login links this partner made, what became of each, and why one did not work. A link's ID opens its timeline: everything that happened to it, in order; a user's, their page, where all of their sessions or links can be ended at once.</p>${table(
          ["Created", "Link", "User", "App", "Status", "Reason", "Last failed attempt", ""],
          tickets.map((t) => [
            html`${when(t.created_at)}`,
            linkTo(t.id),
            userLink(t.user_id),
            clipped(t.app, true),
            badge(t.status),
            html`${t.reason ?? ""}`,
            t.last_failure ? html`${t.last_failure.reason} at ${when(t.last_failure.at)}` : html``,
            t.status === "issued" && session.viewer.role !== "viewer"
              ? html`<form method="post" action="/console/partners/${partner.id}/links/${t.id}/revoke">${csrfField(session)}<button class="secondary" type="submit">Revoke</button></form>`
              : html``,
          ]),
          "No login links yet.",
        )}${older("tickets_before", lastTicket && Date.parse(lastTicket.created_at), "Older login links")}<h2>Events</h2>${table(
          ["When", "What", "Outcome", "Who", "From", "Details"],
          entries.map((e) => [
            html`${when(e.at)}`,
            html`${e.action} ${subject(e)}`,
            badge(e.outcome),
            clipped(e.actor, true),
            html`${e.ip ?? ""}`,
            clipped(detailText(e.detail)),
          ]),
          "Nothing has happened yet.",
        )}${older("events_before", lastEntry?.at, "Older events")}`,
      });
    },
  );
}

/** Integration: copy-paste requests with the partner's own ids. */
function integrationPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get(
    `${Partner}/integration`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const apps = await management.mintableApps(session.viewer, partner.id);
      // The snippets mint for the first app; the table lists every app's id to swap in.
      const appId = apps[0]?.id ?? "APP_ID";
      const base = services.config.baseUrl;
      const curl = `# 1. Exchange your partner token and an API token for a 24-hour access token
curl -s ${base}/v1/auth/token \\
  -H 'content-type: application/json' \\
  -d '{"partner_token": "'"$HANDOFF_PARTNER_TOKEN"'", "api_token": "'"$HANDOFF_API_TOKEN"'"}'

# 2. Mint a login link for one of your users (created on first use)
curl -s ${base}/v1/sso/tickets \\
  -H "authorization: Bearer $ACCESS_TOKEN" \\
  -H 'content-type: application/json' \\
  -d '{"user": {"id": "user-42", "email": "ada@example.com"}, "app": "${appId}"}'
# → {"login_url": "${base}/login/hts_…", …}: send the user's browser there.`;
      const ts = `// npm install @handoff/client
// Partner ${partner.id} (${partner.name})
import { createHandoffClient } from "@handoff/client";

// Exchanges the two tokens for an access token on first use, and again before it expires.
const handoff = createHandoffClient({
  baseUrl: "${base}",
  partnerToken: process.env.HANDOFF_PARTNER_TOKEN!,
  apiToken: process.env.HANDOFF_API_TOKEN!,
});

const { data, error } = await handoff.POST("/v1/sso/tickets", {
  body: { user: { id: "user-42", email: "ada@example.com" }, app: "${appId}" },
});
if (error) throw new Error(\`\${error.code}: \${error.detail ?? error.title}\`);
// Redirect the user's browser to data.login_url.`;
      return send(reply, session, {
        title: `Integration · ${partner.name}`,
        active:
          session.viewer.kind === "operator"
            ? "/console/partners"
            : `/console/partners/${partner.id}/integration`,
        body: html`<h1>Integration · ${partner.name}</h1>${tabs(partner.id, "/integration")}<p>Your partner ID is <code>${partner.id}</code>; Handoff is at <code>${base}</code>. Keep the partner token and API tokens on your server, never in a browser. The full API is described at <a href="/openapi.json">/openapi.json</a>.</p><h2>Apps</h2><p class="muted">The apps you can mint login links for: give one's ID as <code>app</code>. The snippets below use the first.</p>${table(
          ["App", "App ID"],
          apps.map((a) => [clipped(a.name), html`<code>${a.id}</code>`]),
          "No apps yet: the platform's operators add them.",
        )}<h2>curl</h2><div class="row"><button type="button" data-copy="snippet-curl" class="secondary">Copy</button></div><pre id="snippet-curl" tabindex="0">${curl}</pre><h2>TypeScript (Node.js 20+, with the typed client <code>@handoff/client</code>)</h2><div class="row"><button type="button" data-copy="snippet-ts" class="secondary">Copy</button></div><pre id="snippet-ts" tabindex="0">${ts}</pre>`,
      });
    },
  );
}
