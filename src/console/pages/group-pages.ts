// Sign-in groups (operators): apps that share a `signInGroup` open with one Handoff session, so
// one login link signs a user in to every app of the group. Read-only: an app's group is set on
// its own page.
import type { FastifyInstance } from "fastify";
import type { App } from "../../apps/service.js";
import { html } from "../../pages/html.js";
import { type Deps, type PageKit, send } from "./page-kit.js";
import { table } from "./views.js";

export function groupPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  scope.get("/console/groups", { schema: { hide: true } }, async (request, reply) => {
    const session = await kit.viewer(request, reply);
    if (!session) return reply;
    const apps = await services.management.listApps(session.viewer);
    const groups = new Map<string, App[]>();
    for (const app of apps) {
      if (app.signInGroup === null) continue;
      groups.set(app.signInGroup, [...(groups.get(app.signInGroup) ?? []), app]);
    }
    const links = (members: App[]) =>
      html`<span class="wrap">${members.map(
        (app, i) => html`${i > 0 ? ", " : ""}<a href="/console/apps/${app.id}">${app.name}</a>`,
      )}</span>`;
    const alone = apps.filter((app) => app.signInGroup === null);
    return send(reply, session, {
      title: "Sign-in groups",
      active: "/console/groups",
      body: html`<h1>Sign-in groups</h1><p class="muted">Apps of one group share a user's Handoff session: one login link opens every app of the group. An app's group is set on its page.</p>${table(
        ["Group", "Apps", "How many"],
        [...groups.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([group, members]) => [
            html`<code>${group}</code>`,
            links(members),
            html`${members.length}`,
          ]),
        "No app is in a sign-in group yet.",
      )}<h2>Apps in no group</h2>${
        alone.length > 0
          ? html`<p>${links(alone)}</p>`
          : html`<p class="empty">Every app is in a group.</p>`
      }`,
    });
  });
}
