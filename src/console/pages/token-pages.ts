// Seed 001's Token Management page: API tokens (created, listed, revoked after a confirmation),
// the partner token's rotation and the SSO key; each new secret shown once.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { html } from "../../pages/html.js";
import type { Acting } from "../management.js";
import {
  confirmPage,
  type Deps,
  dateField,
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
import { badge, csrfField, duration, table, when } from "./views.js";

type TokenRequest = FastifyRequest<{ Params: { partnerId: string; tokenId: string } }>;

/** Token Management and its forms. */
export function tokenPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  tokenManagementPage(scope, services, kit);
  apiTokenPages(scope, services, kit);
  rotationPages(scope, services, kit);
}

/** Token Management (seed 001's page): API tokens, the partner token, the SSO key. */
function tokenManagementPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get(
    `${Partner}/tokens`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const tokens = await management.listApiTokens(session.viewer, partner.id);
      const now = services.clock.now();
      const writer = session.viewer.role !== "viewer";
      const state = (t: (typeof tokens)[number]) =>
        t.revoked_at !== null
          ? "revoked"
          : t.expires_at !== null && t.expires_at <= now
            ? "expired"
            : "active";
      return send(reply, session, {
        title: "Token Management",
        active:
          session.viewer.kind === "operator"
            ? "/console/partners"
            : `/console/partners/${partner.id}/tokens`,
        body: html`<h1>Token Management · ${partner.name}</h1>${notice(request)}${tabs(partner.id, "/tokens")}<h2>API tokens</h2><p class="muted">Your backend exchanges your partner token and an API token for a 24-hour access token. Make one API token per system, so each can be revoked alone.</p>${table(
          ["Name", "ID", "Status", "Created", "Last used", "Expires", ""],
          tokens.map((t) => [
            html`${t.name}`,
            html`<code>${t.id}</code>`,
            badge(state(t)),
            html`${when(t.created_at)}`,
            html`${when(t.last_used_at)}`,
            html`${when(t.expires_at)}`,
            writer && t.revoked_at === null
              ? html`<a class="button secondary" href="/console/partners/${partner.id}/api-tokens/${t.id}/revoke" aria-label="Revoke ${t.name}">Revoke</a>`
              : html``,
          ]),
          "No API tokens yet: create one below.",
        )}${
          writer
            ? html`<h2>New API token</h2><form class="card" method="post" action="/console/partners/${partner.id}/api-tokens">${csrfField(session)}<div class="row"><div><label for="token-name">Name</label><input id="token-name" name="name" required maxlength="200" placeholder="checkout backend"></div><div><label for="token-expiry">Expires <span class="muted">(optional)</span></label><input id="token-expiry" name="expires_at" type="date"></div><button type="submit">Create API token</button></div></form><h2>Partner token</h2><div class="card"><p>A new partner token replaces the current one; the current one keeps working for ${duration(services.config.partnerTokenOverlapSeconds)}, so your systems can switch over.</p><a class="button secondary" href="/console/partners/${partner.id}/partner-token/rotate">Rotate partner token</a></div><h2>SSO key</h2><div class="card"><p>The SSO key signs users in through the Banckle-shaped one-call API (POST /api/authenticate). A new key stops the old one at once.</p><a class="button secondary" href="/console/partners/${partner.id}/sso-key/rotate">Issue a new SSO key</a></div>`
            : html`<p class="muted">You can see the tokens; an admin of your partner can change them.</p>`
        }`,
      });
    },
  );
}

/** A new API token (shown once), and revoking one after a confirmation. */
function apiTokenPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.post(
    `${Partner}/api-tokens`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      const form = request.body as Form;
      const created = await management.createApiToken(who, request.params.partnerId, {
        name: str(form, "name"),
        expiresAt: dateField(str(form, "expires_at"), "expiry"),
      });
      return redirectToSecret(reply, services, who.session, {
        title: "API token created",
        heading: `API token “${created.apiToken.name}” is created`,
        label: "API token",
        secret: created.token,
        next: {
          href: `/console/partners/${request.params.partnerId}/tokens`,
          text: "Back to Token Management",
        },
      });
    },
  );

  scope.get(
    `${Partner}/api-tokens/:tokenId/revoke`,
    { schema: { hide: true } },
    async (request: TokenRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const { partnerId, tokenId } = request.params;
      const token = (await management.listApiTokens(session.viewer, partnerId)).find(
        (t) => t.id === tokenId,
      );
      if (!token || token.revoked_at !== null)
        throw new HandoffError("not_found", `no live API token ${tokenId}`);
      return send(
        reply,
        session,
        confirmPage(
          session,
          `Revoke “${token.name}”?`,
          "Exchanges with this API token fail from the next request on, and access tokens made with it stop working. This cannot be undone.",
          `/console/partners/${partnerId}/api-tokens/${tokenId}/revoke`,
          `/console/partners/${partnerId}/tokens`,
          "Revoke API token",
        ),
      );
    },
  );

  scope.post(
    `${Partner}/api-tokens/:tokenId/revoke`,
    { schema: { hide: true } },
    async (request: TokenRequest, reply) => {
      const who = await acting(request);
      await management.revokeApiToken(who, request.params.partnerId, request.params.tokenId);
      return reply.redirect(
        `/console/partners/${request.params.partnerId}/tokens?done=revoked`,
        303,
      );
    },
  );
}

/** Rotating the partner token and issuing a new SSO key, each after a confirmation. */
function rotationPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  const rotations = [
    {
      path: "partner-token/rotate",
      title: "Rotate the partner token?",
      text: "A new partner token is shown once. The current one keeps working for the overlap window, then stops, and so do access tokens made with it.",
      button: "Rotate partner token",
      label: "Partner token",
      run: (who: Acting, partnerId: string) => management.rotatePartnerToken(who, partnerId),
    },
    {
      path: "sso-key/rotate",
      title: "Issue a new SSO key?",
      text: "A new SSO key is shown once. Every earlier SSO key of this partner stops working at once.",
      button: "Issue new SSO key",
      label: "SSO key",
      run: (who: Acting, partnerId: string) => management.rotateSsoKey(who, partnerId),
    },
  ];
  for (const rotation of rotations) {
    scope.get(
      `${Partner}/${rotation.path}`,
      { schema: { hide: true } },
      async (request: PartnerRequest, reply) => {
        const session = await viewer(request, reply);
        if (!session) return reply;
        const partner = await management.getPartner(session.viewer, request.params.partnerId);
        const back = `/console/partners/${partner.id}/tokens`;
        return send(
          reply,
          session,
          confirmPage(
            session,
            rotation.title,
            rotation.text,
            `/console/partners/${partner.id}/${rotation.path}`,
            back,
            rotation.button,
          ),
        );
      },
    );
    scope.post(
      `${Partner}/${rotation.path}`,
      { schema: { hide: true } },
      async (request: PartnerRequest, reply) => {
        const who = await acting(request);
        const secret = await rotation.run(who, request.params.partnerId);
        return redirectToSecret(reply, services, who.session, {
          title: `New ${rotation.label}`,
          heading: `New ${rotation.label}`,
          label: rotation.label,
          secret,
          next: {
            href: `/console/partners/${request.params.partnerId}/tokens`,
            text: "Back to Token Management",
          },
        });
      },
    );
  }
}
