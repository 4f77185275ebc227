// A partner's call-back endpoints in the console (docs/callbacks.md): one https URL per kind
// (balance, debit, refund, verify) that apps reach through Handoff. Setting a kind replaces its
// URL and timeout (PUT semantics); a new endpoint's signing secret is shown once (shown-once.ts).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CALLBACK_KINDS } from "../../callbacks/service.js";
import { HandoffError } from "../../http/errors.js";
import { toHandoffError } from "../../http/problem.js";
import { type Html, html } from "../../pages/html.js";
import type { PartnerView } from "../management.js";
import { requireWriter } from "../management-access.js";
import type { ConsoleSession } from "../signin/service.js";
import {
  confirmPage,
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
import { redirectToSecret } from "./shown-once.js";
import { alert, type ConsolePage, clipped, csrfField, table, when } from "./views.js";

type KindRequest = FastifyRequest<{ Params: { partnerId: string; kind: string } }>;

/** What the form held: the kind, the URL and the timeout, as typed. */
interface Entered {
  kind: string;
  url: string;
  timeout: string;
}

async function callbacksPage(
  services: Deps,
  session: ConsoleSession,
  partner: PartnerView,
  top: Html,
  entered: Entered,
): Promise<ConsolePage> {
  const callbacks = await services.management.listCallbacks(session.viewer, partner.id);
  const writer = session.viewer.role !== "viewer";
  const base = `/console/partners/${partner.id}/callbacks`;
  const rows = CALLBACK_KINDS.map((kind) => {
    const set = callbacks.find((c) => c.kind === kind);
    if (!set)
      return [html`${kind}`, html`<span class="muted">not set</span>`, html``, html``, html``];
    return [
      html`${kind}`,
      clipped(set.url),
      html`${set.timeout_ms} ms`,
      html`${when(set.updated_at)}`,
      writer
        ? html`<a href="${base}?kind=${kind}#set" aria-label="Change the ${kind} endpoint">Change</a> · <a href="${base}/${kind}/remove" aria-label="Remove the ${kind} endpoint">Remove</a>`
        : html``,
    ];
  });
  const option = (kind: string) =>
    html`<option value="${kind}"${entered.kind === kind ? html` selected` : ""}>${kind}</option>`;
  const form = html`<h2 id="set">Set an endpoint</h2><form class="card" method="post" action="${base}">${csrfField(session)}<div class="row"><div><label for="cb-kind">Kind</label><select id="cb-kind" name="kind">${CALLBACK_KINDS.map(option)}</select></div><div><label for="cb-url">URL <span class="muted">(https)</span></label><input id="cb-url" name="url" type="url" required maxlength="2048" size="50" placeholder="https://partner.example/handoff/balance" value="${entered.url}"></div><div><label for="cb-timeout">Timeout, ms <span class="muted">(100 to 30000; 5000 if empty)</span></label><input id="cb-timeout" name="timeout_ms" inputmode="numeric" value="${entered.timeout}"></div><button type="submit">Save endpoint</button></div><p class="muted">A kind that has an endpoint gets the new URL and timeout and keeps its signing secret; a new one gets a secret, shown once.</p></form>`;
  return {
    title: `Call-backs · ${partner.name}`,
    active:
      session.viewer.kind === "operator"
        ? "/console/partners"
        : `/console/partners/${partner.id}/callbacks`,
    body: html`<h1>Call-backs · ${partner.name}</h1>${top}${tabs(partner.id, "/callbacks")}<p class="muted">The platform's apps reach this partner's endpoints through Handoff, which adds the user's auth token and signs each call (docs/callbacks.md).</p>${table(
      ["Kind", "URL", "Timeout", "Changed", ""],
      rows,
      "",
    )}${writer ? form : html`<p class="muted">An admin of your partner can set and remove endpoints.</p>`}`,
  };
}

/** The form's fields as the management call's input; a mistake is a 400 in words. */
function inputOf(entered: Entered): { url: string; timeoutMs?: number } {
  if (!(CALLBACK_KINDS as readonly string[]).includes(entered.kind)) {
    throw new HandoffError(
      "invalid_request",
      `There is no call-back kind “${entered.kind}”: choose ${CALLBACK_KINDS.join(", ")}.`,
    );
  }
  if (entered.timeout === "") return { url: entered.url };
  const timeoutMs = Number(entered.timeout);
  if (!Number.isInteger(timeoutMs)) {
    throw new HandoffError("invalid_request", "The timeout is a whole number of milliseconds.");
  }
  return { url: entered.url, timeoutMs };
}

/** Call-backs: listed per kind, set, removed after a confirmation. */
export function callbackPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  callbackListPages(scope, services, kit);
  callbackRemovePages(scope, services, kit);
}

/** The endpoints per kind, and setting one (a new one's signing secret shown once). */
function callbackListPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(
    `${Partner}/callbacks`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const chosen = str(request.query as Form, "kind");
      const current = (await management.listCallbacks(session.viewer, partner.id)).find(
        (c) => c.kind === chosen,
      );
      const entered = {
        kind: chosen,
        url: current?.url ?? "",
        timeout: current ? String(current.timeout_ms) : "",
      };
      return send(
        reply,
        session,
        await callbacksPage(services, session, partner, notice(request), entered),
      );
    },
  );

  scope.post(
    `${Partner}/callbacks`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      const partner = await management.getPartner(who.viewer, request.params.partnerId);
      requireWriter(who.viewer);
      const form = request.body as Form;
      const entered = {
        kind: str(form, "kind"),
        url: str(form, "url"),
        timeout: str(form, "timeout_ms"),
      };
      try {
        const set = await management.setCallback(who, partner.id, entered.kind, inputOf(entered));
        const back = `/console/partners/${partner.id}/callbacks`;
        if (set.secret === null) return reply.redirect(`${back}?done=callback_saved`, 303);
        return redirectToSecret(reply, services, who.session, {
          title: "Call-back endpoint set",
          heading: `The ${set.callback.kind} call-back endpoint is set`,
          label: "Signing secret",
          secret: set.secret,
          advice:
            "The partner's endpoint checks each call's signature with it (Standard Webhooks, docs/callbacks.md).",
          next: { href: back, text: "Back to the call-backs" },
        });
      } catch (error) {
        // A mistake in the form is shown on the form, with what was entered.
        const failure = toHandoffError(error);
        if (failure.status !== 400) throw error;
        const page = await callbacksPage(
          services,
          who.session,
          partner,
          alert(failure.message),
          entered,
        );
        return send(reply, who.session, { ...page, status: 400 });
      }
    },
  );
}

/** Removing a kind's endpoint, after a confirmation. */
function callbackRemovePages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(
    `${Partner}/callbacks/:kind/remove`,
    { schema: { hide: true } },
    async (request: KindRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const { partnerId, kind } = request.params;
      const set = (await management.listCallbacks(session.viewer, partnerId)).find(
        (c) => c.kind === kind,
      );
      if (!set) throw new HandoffError("not_found", `There is no ${kind} call-back endpoint.`);
      const base = `/console/partners/${partnerId}/callbacks`;
      return send(
        reply,
        session,
        confirmPage(
          session,
          `Remove the ${kind} endpoint?`,
          `Apps' ${kind} calls for this partner's users fail (404 no_callback) until a new endpoint is set; a new one gets a new signing secret. ${set.url} is no longer called.`,
          `${base}/${kind}/remove`,
          base,
          "Remove endpoint",
        ),
      );
    },
  );

  scope.post(
    `${Partner}/callbacks/:kind/remove`,
    { schema: { hide: true } },
    async (request: KindRequest, reply) => {
      const who = await acting(request);
      const { partnerId, kind } = request.params;
      await management.removeCallback(who, partnerId, kind);
      return reply.redirect(`/console/partners/${partnerId}/callbacks?done=callback_removed`, 303);
    },
  );
}
