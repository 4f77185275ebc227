// The console's partner pages: the list and a new partner, a partner's summary (status,
// sub-accounts, contract end) and its users (new, unlocked, a new password).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { toHandoffError } from "../../http/problem.js";
import { html } from "../../pages/html.js";
import type { ConsoleSession } from "../signin/service.js";
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
import { alert, badge, type ConsolePage, clipped, csrfField, table, when } from "./views.js";

/** Partners, one partner, its sub-accounts and its users. */
export function partnerPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  partnerListPages(scope, services, kit);
  partnerSummaryPages(scope, services, kit);
  subAccountPages(scope, services, kit);
  partnerUserPages(scope, services, kit);
}

/** Partners (operators see all; a partner user goes to their own), and a new partner. */
function partnerListPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get("/console/partners", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    if (session.viewer.kind !== "operator") {
      return reply.redirect(`/console/partners/${session.viewer.partnerId}`, 303);
    }
    const q = str(request.query as Form, "q");
    const partners = await management.listPartners(session.viewer, q);
    return send(reply, session, {
      title: "Partners",
      active: "/console/partners",
      body: html`<h1>Partners</h1><form class="row card" method="get" action="/console/partners" role="search"><div><label for="q">Search by name or ID</label><input id="q" name="q" value="${q}"></div><button type="submit" class="secondary">Search</button></form>${table(
        ["Name", "ID", "Status", "Contract ends", "Created"],
        partners.map((p) => [
          html`<a href="/console/partners/${p.id}">${clipped(p.name)}</a>`,
          html`<code>${p.id}</code>`,
          badge(p.status),
          html`${when(p.contract_expires_at)}`,
          html`${when(p.created_at)}`,
        ]),
        q ? "No partner matches that search." : "No partners yet: create the first one below.",
      )}<h2>New partner</h2><form class="card" method="post" action="/console/partners">${csrfField(session)}<div class="row"><div><label for="name">Name</label><input id="name" name="name" required maxlength="200"></div><div><label for="contract">Contract ends <span class="muted">(optional)</span></label><input id="contract" name="contract_expires_at" type="date"></div><button type="submit">Create partner</button></div></form>`,
    });
  });

  scope.post("/console/partners", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request);
    const form = request.body as Form;
    const created = await management.createPartner(who, {
      name: str(form, "name"),
      contractExpiresAt: dateField(str(form, "contract_expires_at"), "contract end"),
    });
    return redirectToSecret(reply, services, who.session, {
      title: "Partner created",
      heading: `${created.partner.name} is created`,
      ids: [["Partner ID", created.partner.id]],
      label: "Partner token",
      secret: created.partnerToken,
      advice:
        "Give the partner token to the partner by a safe channel, then create their first admin.",
      next: {
        href: `/console/partners/${created.partner.id}/users`,
        text: "Create their first admin",
      },
    });
  });
}

/** One partner's summary, and suspending (after a confirmation) or activating it. */
function partnerSummaryPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(Partner, { schema: { hide: true } }, async (request: PartnerRequest, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const partner = await management.getPartner(session.viewer, request.params.partnerId);
    const operator = session.viewer.kind === "operator";
    // Suspending ends every session and link of the partner: it asks first. Activating does not.
    const statusForm = !operator
      ? html``
      : partner.status === "active"
        ? html`<a class="button danger" href="/console/partners/${partner.id}/suspend">Suspend partner</a>`
        : html`<form method="post" action="/console/partners/${partner.id}/status">${csrfField(session)}<input type="hidden" name="status" value="active"><button type="submit">Activate partner</button></form>`;
    // The contract's end, changed in place (an empty date removes it); only operators may.
    const contract = operator
      ? html`<form class="row" method="post" action="/console/partners/${partner.id}/contract">${csrfField(session)}<div><label for="contract-end">Contract ends <span class="muted">(empty: no end)</span></label><input id="contract-end" name="contract_expires_at" type="date" value="${partner.contract_expires_at === null ? "" : new Date(partner.contract_expires_at).toISOString().slice(0, 10)}"></div><button type="submit" class="secondary">Save contract end</button></form>`
      : html``;
    const link = operator
      ? html`<form class="row" method="post" action="/console/partners/${partner.id}/sub-accounts">${csrfField(session)}<div><label for="child">Link a sub-account (partner ID)</label><input id="child" name="sub_account_id" required></div><button type="submit" class="secondary">Link</button></form>`
      : html``;
    return send(reply, session, {
      title: partner.name,
      active: operator ? "/console/partners" : "/console",
      body: html`<h1>${partner.name}</h1>${notice(request)}${tabs(partner.id, "")}<div class="card"><dl><dt>Partner ID</dt><dd><code>${partner.id}</code></dd><dt>Status</dt><dd>${badge(partner.status)}</dd><dt>Contract ends</dt><dd>${when(partner.contract_expires_at)}</dd><dt>Created</dt><dd>${when(partner.created_at)}</dd></dl>${contract}${statusForm}</div><h2>Sub-accounts</h2><p class="muted">This partner may act on behalf of these accounts.</p>${table(
        ["Sub-account", ""],
        partner.sub_accounts.map((child) => [
          html`<a href="/console/partners/${child}">${child}</a>`,
          operator
            ? html`<form class="inline" method="post" action="/console/partners/${partner.id}/sub-accounts/${child}/unlink">${csrfField(session)}<button class="secondary" type="submit">Unlink</button></form>`
            : html``,
        ]),
        "No sub-accounts.",
      )}${link}`,
    });
  });

  scope.get(
    `${Partner}/suspend`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const page = confirmPage(
        session,
        `Suspend ${partner.name}?`,
        "Its partner token and API tokens stop working, and every live session and unused login link of its users ends now. Activating it later does not bring those back.",
        `/console/partners/${partner.id}/status`,
        `/console/partners/${partner.id}`,
        "Suspend partner",
        { status: "suspended" },
      );
      return send(reply, session, page);
    },
  );

  scope.post(
    `${Partner}/contract`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      const end = dateField(str(request.body as Form, "contract_expires_at"), "contract end");
      await management.updatePartner(who, request.params.partnerId, { contractExpiresAt: end });
      return reply.redirect(`/console/partners/${request.params.partnerId}?done=contract`, 303);
    },
  );

  scope.post(
    `${Partner}/status`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      const status = str(request.body as Form, "status");
      if (status !== "active" && status !== "suspended") {
        throw new HandoffError("invalid_request", "status must be active or suspended");
      }
      await management.updatePartner(who, request.params.partnerId, { status });
      return reply.redirect(`/console/partners/${request.params.partnerId}?done=status`, 303);
    },
  );
}

/** Linking and unlinking a partner's sub-accounts. */
function subAccountPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { acting } = kit;

  scope.post(
    `${Partner}/sub-accounts`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      await management.linkSubAccount(
        who,
        request.params.partnerId,
        str(request.body as Form, "sub_account_id"),
      );
      return reply.redirect(`/console/partners/${request.params.partnerId}?done=linked`, 303);
    },
  );

  scope.post(
    `${Partner}/sub-accounts/:child/unlink`,
    { schema: { hide: true } },
    async (request: FastifyRequest<{ Params: { partnerId: string; child: string } }>, reply) => {
      const who = await acting(request);
      await management.unlinkSubAccount(who, request.params.partnerId, request.params.child);
      return reply.redirect(`/console/partners/${request.params.partnerId}?done=unlinked`, 303);
    },
  );
}

/** Users of the partner: the list, a new user, an unlock. */
function partnerUserPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get(
    `${Partner}/users`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const users = await management.listPartnerUsers(session.viewer, partner.id);
      const now = services.clock.now();
      const writer = session.viewer.role !== "viewer";
      return send(reply, session, {
        title: `Users · ${partner.name}`,
        active: session.viewer.kind === "operator" ? "/console/partners" : "/console",
        body: html`<h1>Users · ${partner.name}</h1>${notice(request)}${tabs(partner.id, "/users")}<p class="muted">The people of this partner who sign in to the console (and to the Enkash-shaped password grant, POST /oauth/token).</p>${table(
          ["Login", "Role", "State", "Created", ""],
          users.map((u) => {
            const locked = u.locked_until !== null && u.locked_until > now;
            return [
              html`${u.login}`,
              html`${u.role}`,
              locked
                ? html`<span class="badge bad">locked until ${when(u.locked_until)}</span>`
                : badge("active"),
              html`${when(u.created_at)}`,
              writer
                ? html`${
                    locked
                      ? html`<form class="inline" method="post" action="/console/partners/${partner.id}/users/${u.id}/unlock">${csrfField(session)}<button class="secondary" type="submit">Unlock</button></form> `
                      : ""
                  }<a class="button secondary" href="/console/partners/${partner.id}/users/${u.id}/password" aria-label="Set a new password for ${u.login}">Set password</a>`
                : html``,
            ];
          }),
          "No users yet: create the first admin below.",
        )}${
          writer
            ? html`<h2>New user</h2><form class="card" method="post" action="/console/partners/${partner.id}/users">${csrfField(session)}<div class="row"><div><label for="user-login">Email or mobile number</label><input id="user-login" name="login" required autocomplete="off"></div><div><label for="user-password">Password <span class="muted">(12 or more characters)</span></label><input id="user-password" name="password" type="password" required minlength="12" autocomplete="new-password"></div><div><label for="user-role">Role</label><select id="user-role" name="role"><option value="admin">Admin</option><option value="viewer">Viewer (read only)</option></select></div><button type="submit">Create user</button></div></form>`
            : html``
        }`,
      });
    },
  );

  scope.post(
    `${Partner}/users`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const who = await acting(request);
      const form = request.body as Form;
      const role = str(form, "role") === "viewer" ? "viewer" : "admin";
      await management.createPartnerUser(who, request.params.partnerId, {
        login: str(form, "login"),
        password: form.password ?? "",
        role,
      });
      return reply.redirect(
        `/console/partners/${request.params.partnerId}/users?done=user_created`,
        303,
      );
    },
  );

  passwordPages(scope, services, kit);

  scope.post(
    `${Partner}/users/:userId/unlock`,
    { schema: { hide: true } },
    async (request: FastifyRequest<{ Params: { partnerId: string; userId: string } }>, reply) => {
      const who = await acting(request);
      await management.unlockPartnerUser(who, request.params.partnerId, request.params.userId);
      return reply.redirect(
        `/console/partners/${request.params.partnerId}/users?done=unlocked`,
        303,
      );
    },
  );
}

type PartnerUserRequest = FastifyRequest<{ Params: { partnerId: string; userId: string } }>;

/** A new password for a partner user, set by an admin or an operator (ends their sessions). */
function passwordPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  const passwordPage = async (
    session: ConsoleSession,
    partnerId: string,
    userId: string,
    error?: string,
  ): Promise<ConsolePage> => {
    const partner = await management.getPartner(session.viewer, partnerId);
    const user = (await management.listPartnerUsers(session.viewer, partner.id)).find(
      (u) => u.id === userId,
    );
    if (!user) throw new HandoffError("not_found", "no such partner user");
    const back = `/console/partners/${partner.id}/users`;
    return {
      title: `New password for ${user.login}`,
      status: error ? 400 : 200,
      active: session.viewer.kind === "operator" ? "/console/partners" : "/console",
      body: html`<h1>New password for ${user.login}</h1>${error ? alert(error) : ""}<form class="card" method="post" action="${back}/${user.id}/password">${csrfField(session)}<p>Their console sessions (and refresh tokens of the password grant) end now; give them the new password by a safe channel.</p><div class="field"><label for="new-password">New password <span class="muted">(12 or more characters)</span></label><input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password"></div><button type="submit">Set password</button> <a href="${back}">Cancel</a></form>`,
    };
  };

  scope.get(
    `${Partner}/users/:userId/password`,
    { schema: { hide: true } },
    async (request: PartnerUserRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const { partnerId, userId } = request.params;
      return send(reply, session, await passwordPage(session, partnerId, userId));
    },
  );

  scope.post(
    `${Partner}/users/:userId/password`,
    { schema: { hide: true } },
    async (request: PartnerUserRequest, reply) => {
      const who = await acting(request);
      const { partnerId, userId } = request.params;
      try {
        const password = (request.body as Form).password ?? "";
        await management.resetPartnerUserPassword(who, partnerId, userId, password);
      } catch (error) {
        // A password the rules refuse: the form again, with the reason above it.
        const failure = toHandoffError(error);
        if (failure.code !== "invalid_request") throw error;
        return send(
          reply,
          who.session,
          await passwordPage(who.session, partnerId, userId, failure.message),
        );
      }
      return reply.redirect(`/console/partners/${partnerId}/users?done=password`, 303);
    },
  );
}
