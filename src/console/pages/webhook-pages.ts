// Event webhooks in the console (docs/webhooks.md): a partner's endpoints and their deliveries
// under /console/partners/{id}/…, the operators' own (they hear every partner) under /console/….
// A new endpoint's signing secret is shown once (shown-once.ts); a delivery can be sent again.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { toHandoffError } from "../../http/problem.js";
import { type Html, html } from "../../pages/html.js";
import { EVENT_TYPES } from "../../webhooks/events.js";
import { requireOperator, requireWriter } from "../management-access.js";
import type { ConsoleSession, Viewer } from "../signin/service.js";
import { confirmPage, type Deps, notice, type PageKit, Partner, send, tabs } from "./page-kit.js";
import { redirectToSecret } from "./shown-once.js";
import { alert, badge, type ConsolePage, clipped, csrfField, table, when } from "./views.js";

type OwnerRequest = FastifyRequest<{
  Params: { partnerId?: string; endpointId?: string; deliveryId?: string };
}>;
type Delivery = Awaited<ReturnType<Deps["management"]["webhookDeliveries"]>>[number];

/** Whose endpoints a page shows: one partner's, or the operators' own (partnerId null). */
interface Owner {
  partnerId: string | null;
  name: string;
  /** Where its pages are: /console/partners/{id}, or /console. */
  base: string;
}

const baseOf = (partnerId: string | undefined) =>
  partnerId === undefined ? "/console" : `/console/partners/${partnerId}`;

/** The owner of a page, when the viewer may see it (404 for another partner, 403 for operators'). */
async function ownerOf(services: Deps, viewer: Viewer, partnerId?: string): Promise<Owner> {
  if (partnerId === undefined) {
    requireOperator(viewer);
    return { partnerId: null, name: "every partner", base: "/console" };
  }
  const partner = await services.management.getPartner(viewer, partnerId);
  return { partnerId: partner.id, name: partner.name, base: baseOf(partner.id) };
}

/** The shell of a webhook page: its heading, then a notice or an error, the partner's tabs. */
function frame(session: ConsoleSession, owner: Owner, title: string, top: Html, body: Html) {
  const heading =
    owner.partnerId === null ? `${title} for every partner` : `${title} · ${owner.name}`;
  const active =
    owner.partnerId === null
      ? "/console/webhooks"
      : session.viewer.kind === "operator"
        ? "/console/partners"
        : `${owner.base}/webhooks`;
  return {
    title: heading,
    active,
    body: html`<h1>${heading}</h1>${top}${owner.partnerId === null ? "" : tabs(owner.partnerId, "/webhooks")}${body}`,
  };
}

/** What the new-endpoint form held, to show it again with what was wrong. */
interface Entered {
  url: string;
  events: string[];
}

async function endpointsPage(
  services: Deps,
  session: ConsoleSession,
  owner: Owner,
  top: Html,
  entered: Entered = { url: "", events: [] },
): Promise<ConsolePage> {
  const endpoints = await services.management.listWebhooks(session.viewer, owner.partnerId);
  const writer = session.viewer.role !== "viewer";
  const hears =
    owner.partnerId === null
      ? "These endpoints hear every partner's events."
      : "Handoff posts each event this partner's users and credentials cause to every endpoint that listens to it, signed (Standard Webhooks), retried for 3 days.";
  const form = html`<h2>New endpoint</h2><form class="card" method="post" action="${owner.base}/webhooks">${csrfField(session)}<div class="field"><label for="hook-url">URL <span class="muted">(https)</span></label><input id="hook-url" name="url" type="url" required maxlength="2048" size="60" placeholder="https://partner.example/handoff/events" value="${entered.url}"></div><fieldset class="checks"><legend>Events to send</legend>${EVENT_TYPES.map(
    (type) =>
      html`<label><input type="checkbox" name="events" value="${type}"${entered.events.includes(type) ? html` checked` : ""}> ${type}</label>`,
  )}</fieldset><button type="submit">Add endpoint</button></form>`;
  return frame(
    session,
    owner,
    "Webhooks",
    top,
    html`<p class="muted">${hears} <a href="${owner.base}/webhook-deliveries">See the deliveries</a>.</p>${table(
      ["URL", "Events", "Created", ""],
      endpoints.map((e) => [
        clipped(e.url),
        html`<span class="wrap">${e.events.join(", ")}</span>`,
        html`${when(e.created_at)}`,
        writer
          ? html`<a class="button secondary" href="${owner.base}/webhooks/${e.id}/remove" aria-label="Remove the endpoint ${e.url}">Remove</a>`
          : html``,
      ]),
      "No webhook endpoints yet.",
    )}${writer ? form : html`<p class="muted">An admin of your partner can add and remove endpoints.</p>`}`,
  );
}

/** When a delivery is tried next, or when it finished (delivered, or given up). */
function nextTry(d: Delivery): string {
  if (d.state !== "pending") return when(d.finished_at);
  return d.attempts === 0 ? "now" : when(d.next_attempt_at);
}

async function deliveriesPage(
  services: Deps,
  session: ConsoleSession,
  owner: Owner,
  top: Html,
): Promise<ConsolePage> {
  const { management } = services;
  const deliveries = await management.webhookDeliveries(session.viewer, owner.partnerId);
  // Operators see every delivery: to their own endpoints and to each partner's.
  const names =
    owner.partnerId === null
      ? new Map((await management.listPartners(session.viewer)).map((p) => [p.id, p.name]))
      : new Map<string, string>();
  const owners = [owner.partnerId, ...new Set(deliveries.flatMap((d) => d.partner_id ?? []))];
  const urls = new Map<string, string>();
  for (const id of owners.filter((id) => id === owner.partnerId || names.has(id ?? ""))) {
    for (const e of await management.listWebhooks(session.viewer, id)) urls.set(e.id, e.url);
  }
  const writer = session.viewer.role !== "viewer";
  // "answered 503" says no more than the status beside it.
  const answer = (d: Delivery) =>
    [
      d.last_status === null ? "" : `HTTP ${d.last_status}`,
      d.last_error === `answered ${d.last_status}` ? "" : (d.last_error ?? ""),
    ]
      .filter(Boolean)
      .join(" · ");
  return frame(
    session,
    owner,
    "Webhook deliveries",
    top,
    html`<p class="muted">The 50 newest deliveries to ${owner.partnerId === null ? "any endpoint" : "this partner's endpoints"}. A failed try is tried again after 5 s, 10 s, 20 s … (at most an hour apart) for 3 days, then the delivery is marked failed. Replay sends one again now, under the same <code>webhook-id</code>. <a href="${owner.base}/webhooks">Back to the endpoints</a>.</p>${table(
      ["Queued", "Event", "Endpoint", "State", "Attempts", "Last answer", "Next try", ""],
      deliveries.map((d) => {
        const url = urls.get(d.endpoint_id);
        return [
          html`<span class="wrap">${when(d.created_at)}</span>`,
          html`${d.type}${owner.partnerId === null && d.partner_id ? html`<br>${clipped(names.get(d.partner_id) ?? d.partner_id, true)}` : ""}`,
          clipped(url ?? d.endpoint_id, true),
          badge(d.state),
          html`${d.attempts}`,
          answer(d) ? clipped(answer(d), true) : html`—`,
          html`<span class="wrap">${nextTry(d)}</span>`,
          writer
            ? html`<form method="post" action="${owner.base}/webhook-deliveries/${d.id}/replay">${csrfField(session)}<button class="secondary" type="submit">Replay</button></form>`
            : html``,
        ];
      }),
      "No deliveries yet: they appear when an event happens that an endpoint listens to.",
    )}`,
  );
}

/** Webhook endpoints and deliveries, for one partner and for the operators' own. */
export function webhookPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  for (const prefix of [Partner, "/console"]) {
    endpointPages(scope, services, kit, prefix);
    endpointRemovePages(scope, services, kit, prefix);
    deliveryPages(scope, services, kit, prefix);
  }
}

/** The endpoints: listed, and added (the signing secret shown once). */
function endpointPages(scope: FastifyInstance, services: Deps, kit: PageKit, prefix: string) {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(
    `${prefix}/webhooks`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const owner = await ownerOf(services, session.viewer, request.params.partnerId);
      return send(reply, session, await endpointsPage(services, session, owner, notice(request)));
    },
  );

  scope.post(
    `${prefix}/webhooks`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const who = await acting(request);
      const owner = await ownerOf(services, who.viewer, request.params.partnerId);
      requireWriter(who.viewer);
      const form = (request.body ?? {}) as Record<string, unknown>;
      const entered: Entered = {
        url: typeof form.url === "string" ? form.url.trim() : "",
        // A checkbox group arrives as one string, an array, or nothing.
        events: [form.events].flat().filter((e): e is string => typeof e === "string"),
      };
      try {
        if (entered.events.length === 0) {
          throw new HandoffError("invalid_request", "Choose at least one event to send.");
        }
        const created = await management.createWebhook(who, owner.partnerId, entered);
        return redirectToSecret(reply, services, who.session, {
          title: "Webhook endpoint added",
          heading: "The webhook endpoint is added",
          ids: [["Endpoint ID", created.endpoint.id]],
          label: "Signing secret",
          secret: created.secret,
          advice:
            "Your receiver checks each delivery's signature with it (Standard Webhooks, docs/webhooks.md).",
          next: { href: `${owner.base}/webhooks`, text: "Back to the webhooks" },
        });
      } catch (error) {
        // A mistake in the form is shown on the form, with what was entered.
        const failure = toHandoffError(error);
        if (failure.status !== 400) throw error;
        const page = await endpointsPage(
          services,
          who.session,
          owner,
          alert(failure.message),
          entered,
        );
        return send(reply, who.session, { ...page, status: 400 });
      }
    },
  );
}

/** Removing an endpoint, after a confirmation. */
function endpointRemovePages(scope: FastifyInstance, services: Deps, kit: PageKit, prefix: string) {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(
    `${prefix}/webhooks/:endpointId/remove`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const owner = await ownerOf(services, session.viewer, request.params.partnerId);
      const endpoint = (await management.listWebhooks(session.viewer, owner.partnerId)).find(
        (e) => e.id === request.params.endpointId,
      );
      if (!endpoint) throw new HandoffError("not_found", "There is no such webhook endpoint.");
      return send(
        reply,
        session,
        confirmPage(
          session,
          "Remove this webhook endpoint?",
          `Nothing more is sent to ${endpoint.url}, and its deliveries are deleted. This cannot be undone.`,
          `${owner.base}/webhooks/${endpoint.id}/remove`,
          `${owner.base}/webhooks`,
          "Remove endpoint",
        ),
      );
    },
  );

  scope.post(
    `${prefix}/webhooks/:endpointId/remove`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const who = await acting(request);
      const { partnerId, endpointId = "" } = request.params;
      await management.removeWebhook(who, partnerId ?? null, endpointId);
      return reply.redirect(`${baseOf(partnerId)}/webhooks?done=webhook_removed`, 303);
    },
  );
}

/** The deliveries, and sending one again. */
function deliveryPages(scope: FastifyInstance, services: Deps, kit: PageKit, prefix: string) {
  const { viewer, acting } = kit;

  scope.get(
    `${prefix}/webhook-deliveries`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const owner = await ownerOf(services, session.viewer, request.params.partnerId);
      return send(reply, session, await deliveriesPage(services, session, owner, notice(request)));
    },
  );

  scope.post(
    `${prefix}/webhook-deliveries/:deliveryId/replay`,
    { schema: { hide: true } },
    async (request: OwnerRequest, reply) => {
      const who = await acting(request);
      const { partnerId, deliveryId = "" } = request.params;
      await services.management.replayWebhook(who, partnerId ?? null, deliveryId);
      return reply.redirect(`${baseOf(partnerId)}/webhook-deliveries?done=replayed`, 303);
    },
  );
}
