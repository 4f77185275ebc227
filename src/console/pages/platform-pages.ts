// The overview (logins and failures per partner over a day) and the platform's own pages for
// operators: apps, signing keys, the audit log.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { html } from "../../pages/html.js";
import { confirmPage, type Deps, type Form, notice, type PageKit, send, str } from "./page-kit.js";
import { badge, clipped, csrfField, redemptionChart, table, when } from "./views.js";

/** Overview, apps, keys and the audit log. */
export function platformPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  overviewPage(scope, services, kit);
  appsPage(scope, services, kit);
  signingKeyPages(scope, services, kit);
  auditPage(scope, services, kit);
}

/** Overview: recent logins and failures per partner, over 24 hours. */
function overviewPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get("/console", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const now = services.clock.now();
    const hours = 24;
    const since = now - hours * 3600_000;
    const partners = await management.listPartners(session.viewer);
    const entries = await management.redemptions(session.viewer, since);
    const buckets = Array.from({ length: hours }, () => ({ ok: 0, failed: 0 }));
    const perPartner = new Map<string, { ok: number; failed: number }>();
    for (const entry of entries) {
      const bucket = buckets[Math.min(hours - 1, Math.floor((entry.at - since) / 3600_000))];
      const counts = perPartner.get(entry.partner_id ?? "") ?? { ok: 0, failed: 0 };
      if (entry.outcome === "ok") {
        counts.ok += 1;
        if (bucket) bucket.ok += 1;
      } else {
        counts.failed += 1;
        if (bucket) bucket.failed += 1;
      }
      perPartner.set(entry.partner_id ?? "", counts);
    }
    const failures = entries.filter((e) => e.outcome !== "ok").slice(0, 10);
    const names = new Map(partners.map((p) => [p.id, p.name]));
    return send(reply, session, {
      title: "Overview",
      active: "/console",
      body: html`<h1>Overview</h1>${redemptionChart(buckets)}<h2>Partners, last 24 hours</h2>${table(
        ["Partner", "Status", "Signed in", "Failed"],
        partners.map((p) => {
          const counts = perPartner.get(p.id) ?? { ok: 0, failed: 0 };
          return [
            html`<a href="/console/partners/${p.id}">${clipped(p.name)}</a>`,
            badge(p.status),
            html`${counts.ok}`,
            html`${counts.failed}`,
          ];
        }),
        "No partners yet.",
      )}<h2>Recent failed logins</h2>${table(
        ["When", "Partner", "Link", "Reason", "From"],
        failures.map((e) => [
          html`${when(e.at)}`,
          html`${names.get(e.partner_id ?? "") ?? e.partner_id ?? ""}`,
          html`<code>${e.subject ?? ""}</code>`,
          badge(e.outcome),
          html`${e.ip ?? ""}`,
        ]),
        "No failed logins in the last 24 hours.",
      )}`,
    });
  });
}

/** The platform's apps (operators). */
function appsPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get("/console/apps", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const apps = await management.listApps(session.viewer);
    return send(reply, session, {
      title: "Apps",
      active: "/console/apps",
      body: html`<h1>Apps</h1><p class="muted">The platform's web apps that login links open.</p><p><a class="button" href="/console/apps/new">New app</a></p>${table(
        [
          "Name",
          "ID",
          "URL",
          "Return paths",
          "Link lifetime (max)",
          "Session (idle / max)",
          "Also",
        ],
        apps.map((a) => [
          html`<a href="/console/apps/${a.id}">${clipped(a.name, true)}</a>`,
          html`<code>${a.id}</code>`,
          clipped(a.baseUrl, true),
          clipped(a.returnPaths.join(", "), true),
          html`${a.ticketTtlDefault} s (${a.ticketTtlMax} s)`,
          html`${Math.round(a.sessionIdleSeconds / 60)} min / ${Math.round(a.sessionAbsoluteSeconds / 3600)} h`,
          // Whether it is an OIDC client or a SAML service provider; the URIs are on its page.
          html`${[a.oidc.redirectUris.length > 0 ? "OIDC" : "", a.saml ? "SAML" : ""].filter(Boolean).join(", ") || "—"}`,
        ]),
        "No apps yet.",
      )}`,
    });
  });
}

type KeyRequest = FastifyRequest<{ Params: { kid: string } }>;

/** The signing keys: rotating them, and revoking one in an emergency (operators). */
function signingKeyPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get("/console/keys", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const keys = management.listKeys(session.viewer);
    return send(reply, session, {
      title: "Signing keys",
      active: "/console/keys",
      body: html`<h1>Signing keys</h1>${notice(request)}<p class="muted">The keys that sign access tokens and ID tokens, published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.</p>${table(
        ["Key ID", "Algorithm", "Created", "Retires", ""],
        keys.map((k) => [
          html`<code>${k.kid}</code>`,
          html`${k.alg}`,
          html`${when(k.created_at)}`,
          html`${when(k.retire_at)}`,
          html`<a class="button danger" href="/console/keys/${k.kid}/revoke" aria-label="Revoke the key ${k.kid}">Revoke</a>`,
        ]),
        "No keys.",
      )}<form class="card" method="post" action="/console/keys">${csrfField(session)}<p>A rotation publishes new keys now; the current ones verify what they signed until it expires.</p><button type="submit">Rotate signing keys</button></form><p class="muted">Revoke a key only when it may have leaked: everything it signed stops verifying at once.</p>`,
    });
  });

  scope.post("/console/keys", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request);
    await management.rotateKeys(who);
    return reply.redirect("/console/keys?done=keys_rotated", 303);
  });

  // Revoking asks first, on a page of its own: it signs out every app that holds a token it signed.
  scope.get(
    "/console/keys/:kid/revoke",
    { schema: { hide: true } },
    async (request: KeyRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const key = management.listKeys(session.viewer).find((k) => k.kid === request.params.kid);
      if (!key) throw new HandoffError("not_found", `no live key ${request.params.kid}`);
      // EdDSA keys also sign access tokens; RS256 ones only ID tokens (src/keys/service.ts).
      const signed =
        key.alg === "EdDSA"
          ? "Access tokens it signed stop working now (partners exchange their tokens again), and it"
          : "It";
      const page = confirmPage(
        session,
        `Revoke the signing key ${key.kid}?`,
        `${signed} leaves the published keys (JWKS), so apps refuse the ID tokens it signed once they fetch the keys again. The next newest ${key.alg} key signs from now on; if there is none, a new one is made at once. This cannot be undone.`,
        `/console/keys/${key.kid}/revoke`,
        "/console/keys",
        "Revoke signing key",
      );
      return send(reply, session, { ...page, active: "/console/keys" });
    },
  );

  scope.post(
    "/console/keys/:kid/revoke",
    { schema: { hide: true } },
    async (request: KeyRequest, reply) => {
      const who = await acting(request);
      await management.revokeKey(who, request.params.kid);
      return reply.redirect("/console/keys?done=key_revoked", 303);
    },
  );
}

/** The audit log, filtered and paged (operators). */
function auditPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer } = kit;

  scope.get("/console/audit", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const q = request.query as Form;
    const filter = {
      partnerId: str(q, "partner_id"),
      actor: str(q, "actor"),
      action: str(q, "action"),
    };
    const before = str(q, "before");
    const entries = await management.audit(session.viewer, {
      ...(filter.partnerId ? { partnerId: filter.partnerId } : {}),
      ...(filter.actor ? { actor: filter.actor } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(before && !Number.isNaN(Number(before)) ? { before: Number(before) } : {}),
      limit: 50,
    });
    const last = entries.at(-1);
    // The next page keeps the filter under the form's own field names.
    const kept = { partner_id: filter.partnerId, actor: filter.actor, action: filter.action };
    const nonEmpty = Object.entries(kept).filter(([, value]) => value !== "");
    const next = last
      ? `/console/audit?${new URLSearchParams([...nonEmpty, ["before", String(last.at)]]).toString()}`
      : null;
    return send(reply, session, {
      title: "Audit log",
      active: "/console/audit",
      body: html`<h1>Audit log</h1><form class="row card" method="get" action="/console/audit"><div><label for="f-partner">Partner ID</label><input id="f-partner" name="partner_id" value="${filter.partnerId}"></div><div><label for="f-actor">Actor</label><input id="f-actor" name="actor" value="${filter.actor}"></div><div><label for="f-action">Action</label><input id="f-action" name="action" value="${filter.action}" placeholder="api_token.revoke"></div><button class="secondary" type="submit">Filter</button></form>${table(
        ["When", "Actor", "Action", "Partner", "Subject", "Outcome", "From"],
        entries.map((e) => [
          html`${when(e.at)}`,
          html`<code>${e.actor}</code>`,
          html`${e.action}`,
          html`<code>${e.partner_id ?? ""}</code>`,
          html`<code>${e.subject ?? ""}</code>`,
          badge(e.outcome),
          html`${e.ip ?? ""}`,
        ]),
        "No entries match.",
      )}${entries.length === 50 && next ? html`<p><a href="${next}">Older entries</a></p>` : ""}`,
    });
  });
}
