// The web console: server-rendered pages over the same Management methods as the management API.
// Forms post with the session's CSRF token; a destructive action asks first on a page of its own;
// a secret is shown once, on the page that answers its creation, and never again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HandoffError } from "../http/errors.js";
import { logError, toHandoffError } from "../http/problem.js";
import { Html, html, sendPage } from "../pages/html.js";
import type { Services } from "../services.js";
import {
  clearConsoleCookie,
  consoleSession,
  requireConsoleChange,
  setConsoleCookie,
} from "./http.js";
import type { Acting } from "./management.js";
import { signIn } from "./routes.js";
import type { ConsoleSession } from "./service.js";
import type { Enrolment } from "./totp.js";
import {
  alert,
  badge,
  CONSOLE_SCRIPT,
  CONSOLE_STYLE,
  type ConsolePage,
  csrfField,
  duration,
  layout,
  redemptionChart,
  shownOnce,
  table,
  when,
} from "./views.js";

type Deps = Pick<Services, "config" | "clock" | "consoleAuth" | "consoleFailures" | "management">;
type Form = Record<string, string | undefined>;

/** Notices a redirect may ask for: fixed words, never text from the URL. */
const NOTICES: Record<string, string> = {
  revoked: "The API token is revoked: exchanges with it fail from now on.",
  user_created: "The user is created. Give them their login and password by a safe channel.",
  unlocked: "The user is unlocked.",
  password: "The password is set; the user's console sessions have ended.",
  status: "The partner's status is changed.",
  linked: "The sub-account is linked.",
  unlinked: "The sub-account is unlinked.",
  key_revoked: "The signing key is revoked.",
  totp_off: "The second factor is off: sign-in asks for your password only.",
};

function send(reply: FastifyReply, session: ConsoleSession | null, page: ConsolePage) {
  return sendPage(reply, {
    status: page.status ?? 200,
    title: `${page.title} · Handoff console`,
    body: layout(session, page),
    style: CONSOLE_STYLE,
    script: CONSOLE_SCRIPT,
  });
}

function notice(request: FastifyRequest): Html {
  const done = (request.query as Record<string, unknown>)?.done;
  const text = typeof done === "string" ? NOTICES[done] : undefined;
  return text ? html`<div class="notice" role="status">${text}</div>` : html``;
}

const str = (form: Form | undefined, name: string) => (form?.[name] ?? "").trim();

/** A date input's value (YYYY-MM-DD) as the end of that day in UTC; null when empty. */
function dateField(value: string, name: string): number | null {
  if (!value) return null;
  const ms = Date.parse(`${value}T23:59:59Z`);
  if (Number.isNaN(ms)) throw new HandoffError("invalid_request", `${name} is not a date`);
  return ms;
}

const tabs = (partnerId: string, active: string) => {
  const tab = (path: string, label: string) => {
    const href = `/console/partners/${partnerId}${path}`;
    return html`<li><a href="${href}"${active === path ? html` aria-current="page"` : ""}>${label}</a></li>`;
  };
  return html`<ul class="tabs" aria-label="Partner">${[
    tab("", "Summary"),
    tab("/tokens", "Token Management"),
    tab("/users", "Users"),
    tab("/activity", "Activity"),
    tab("/integration", "Integration"),
  ]}</ul>`;
};

/** Where a session that owes something must go first; null when it owes nothing. */
function owedStep(session: ConsoleSession): string | null {
  if (session.pending === "totp") return "/console/sign-in/totp";
  if (session.pending === "enrol") return "/console/account";
  return null;
}

function codePage(session: ConsoleSession, error?: string): ConsolePage {
  return {
    title: "Your code",
    status: error ? 401 : 200,
    body: html`<div class="signin"><h1>Your code</h1>${error ? alert(error) : ""}<form class="card" method="post" action="/console/sign-in/totp">${csrfField(session)}<div class="field"><label for="code">6-digit code from your authenticator app, or a recovery code</label><input id="code" name="code" autocomplete="one-time-code" required></div><button type="submit">Continue</button></form><form method="post" action="/console/sign-out">${csrfField(session)}<button class="secondary" type="submit">Cancel and sign out</button></form></div>`,
  };
}

function enrolPage(session: ConsoleSession, enrolment: Enrolment): ConsolePage {
  return {
    title: "Set up your authenticator app",
    active: "/console/account",
    body: html`<h1>Set up your authenticator app</h1><div class="card"><p>Scan this QR code with your authenticator app, or type in the key below. Then enter the 6-digit code it shows.</p><div class="qr" role="img" aria-label="QR code holding your authenticator key">${new Html(enrolment.qrSvg)}</div><p>Key: <code id="totp-key">${enrolment.secret}</code></p><form class="row" method="post" action="/console/account/totp/confirm">${csrfField(session)}<div><label for="first-code">Code from the app</label><input id="first-code" name="code" inputmode="numeric" autocomplete="one-time-code" required></div><button type="submit">Turn on</button></form></div>`,
  };
}

/** A page that asks before a destructive action, and posts to `action` when confirmed. */
function confirmPage(
  session: ConsoleSession,
  title: string,
  text: string,
  action: string,
  back: string,
  button: string,
  fields: Record<string, string> = {},
): ConsolePage {
  const hidden = Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return {
    title,
    body: html`<h1>${title}</h1><div class="card"><p>${text}</p><form method="post" action="${action}">${csrfField(session)}${hidden}<button class="danger" type="submit">${button}</button> <a href="${back}">Cancel</a></form></div>`,
  };
}

export function consolePages(scope: FastifyInstance, services: Deps): void {
  const { management } = services;

  /**
   * Loads the session for a page; null sends the person where they must go first: to sign in,
   * to give their TOTP code, or (an operator who must have one) to enrol.
   */
  async function viewer(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { owing?: boolean } = {},
  ): Promise<ConsoleSession | null> {
    const session = await consoleSession(services, request);
    const next = !session ? "/console/sign-in" : options.owing ? null : owedStep(session);
    if (next) {
      void reply.redirect(next, 303);
      return null;
    }
    return session;
  }

  async function acting(
    request: FastifyRequest,
    options: { owing?: boolean } = {},
  ): Promise<Acting & { session: ConsoleSession }> {
    const csrf = (request.body as Form | undefined)?.csrf;
    return requireConsoleChange(services, request, csrf, options);
  }

  /** A change to one's own second factor: allowed while an enrolment is owed, not a code. */
  async function enrolling(request: FastifyRequest) {
    const who = await acting(request, { owing: true });
    if (who.session.pending === "totp") throw new HandoffError("second_factor_required");
    return who;
  }

  // Errors on a page are pages: the words of the error, the status, never a stack.
  scope.setErrorHandler(async (error, request, reply) => {
    const failure = toHandoffError(error);
    if (failure.code === "no_console_session") return reply.redirect("/console/sign-in", 303);
    logError(failure, request);
    const session = await consoleSession(services, request).catch(() => null);
    return send(reply.headers(failure.headers), session, {
      title: failure.status === 404 ? "Not found" : "That did not work",
      status: failure.status,
      body: html`<h1>${failure.status === 404 ? "Not found" : "That did not work"}</h1>${alert(failure.message)}<p><a href="/console">Back to the console</a></p>`,
    });
  });

  for (const path of ["/dashboard", "/portal", "/login"]) {
    scope.get(path, { schema: { hide: true } }, (_request, reply) =>
      reply.redirect("/console", 302),
    );
  }

  const signInPage = (error?: string, status = 200, values: Form = {}): ConsolePage => ({
    title: "Sign in",
    status,
    body: html`<div class="signin"><h1>Sign in to the console</h1>${error ? alert(error) : ""}<form class="card" method="post" action="/console/sign-in"><div class="field"><label for="login">Email or login</label><input id="login" name="login" autocomplete="username" required value="${values.login ?? ""}"></div><div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div><div class="field"><label for="partner_id">Partner ID <span class="muted">(partner users only)</span></label><input id="partner_id" name="partner_id" autocomplete="organization" value="${values.partner_id ?? ""}"></div><button type="submit">Sign in</button></form><p class="muted">Operators sign in with their email and leave Partner ID empty. Partner users also give their partner's ID.</p></div>`,
  });

  scope.get("/console/sign-in", { schema: { hide: true } }, async (request, reply) => {
    if (await consoleSession(services, request)) return reply.redirect("/console", 303);
    return send(reply, null, signInPage());
  });

  scope.post("/console/sign-in", { schema: { hide: true } }, async (request, reply) => {
    const form = request.body as Form | undefined;
    try {
      const { token, session } = await signIn(services, request, {
        login: str(form, "login"),
        password: form?.password ?? "",
        partnerId: str(form, "partner_id") || undefined,
      });
      setConsoleCookie(services, reply, token);
      return reply.redirect(owedStep(session) ?? "/console", 303);
    } catch (error) {
      const failure = toHandoffError(error);
      if (failure.status >= 500) throw error;
      const values = { login: str(form, "login"), partner_id: str(form, "partner_id") };
      return send(
        reply.headers(failure.headers),
        null,
        signInPage(failure.message, failure.status, values),
      );
    }
  });

  // The second factor: the code a sign-in owes, and one's own enrolment

  scope.get("/console/sign-in/totp", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply, { owing: true });
    if (!session) return reply;
    if (session.pending !== "totp") return reply.redirect("/console", 303);
    return send(reply, null, codePage(session));
  });

  scope.post("/console/sign-in/totp", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request, { owing: true });
    await services.consoleFailures.check(who.ip);
    try {
      await services.consoleAuth.giveCode(who.session, str(request.body as Form, "code"));
    } catch (error) {
      await services.consoleFailures.fail(who.ip, request.log);
      const failure = toHandoffError(error);
      if (failure.code !== "invalid_credentials") throw error;
      const still = await consoleSession(services, request);
      if (!still) return reply.redirect("/console/sign-in", 303);
      return send(reply.code(401), null, codePage(still, failure.message));
    }
    return reply.redirect("/console", 303);
  });

  scope.get("/console/account", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply, { owing: true });
    if (!session) return reply;
    if (session.pending === "totp") return reply.redirect("/console/sign-in/totp", 303);
    const on = await services.consoleAuth.totp.enabled(session.viewer.id);
    const must = session.pending === "enrol";
    const keep = services.config.consoleRequire2fa && session.viewer.kind === "operator";
    const state = on
      ? html`<div class="card"><p>${badge("active")} Sign-in asks for a code from your authenticator app.</p>${
          keep
            ? html`<p class="muted">Operators must keep it on here.</p>`
            : html`<form class="row" method="post" action="/console/account/totp/disable">${csrfField(session)}<div><label for="off-code">A current code, to turn it off</label><input id="off-code" name="code" inputmode="numeric" autocomplete="one-time-code" required></div><button class="danger" type="submit">Turn off</button></form>`
        }</div>`
      : html`<div class="card"><p>Add a second factor: after your password, sign-in will ask for a 6-digit code from an authenticator app.</p><form method="post" action="/console/account/totp">${csrfField(session)}<button type="submit">Set up an authenticator app</button></form></div>`;
    return send(reply, session, {
      title: "Your account",
      active: "/console/account",
      body: html`<h1>Your account</h1>${notice(request)}${must ? alert("This platform requires operators to use a second factor: set one up to continue.") : ""}<div class="card"><dl><dt>Signed in as</dt><dd>${session.viewer.name}</dd><dt>Role</dt><dd>${session.viewer.role}</dd></dl></div><h2>Second factor (authenticator app)</h2>${state}`,
    });
  });

  scope.post("/console/account/totp", { schema: { hide: true } }, async (request, reply) => {
    const who = await enrolling(request);
    const enrolment = await services.consoleAuth.totp.begin(who.viewer.id, who.viewer.name);
    return send(reply, who.session, enrolPage(who.session, enrolment));
  });

  scope.post(
    "/console/account/totp/confirm",
    { schema: { hide: true } },
    async (request, reply) => {
      const who = await enrolling(request);
      const code = str(request.body as Form, "code");
      const codes = await services.consoleAuth.totp.confirm(who.viewer.id, code);
      return send(reply, who.session, {
        title: "Recovery codes",
        active: "/console/account",
        body: html`<h1>Your second factor is on</h1><div class="notice" role="status"><p><strong>Recovery codes</strong>: each one signs you in once if you lose your phone. Keep them somewhere safe now; they are shown once.</p><div class="secret"><pre id="secret-value" tabindex="0">${codes.join("\n")}</pre><button type="button" data-copy="secret-value">Copy</button></div></div><p><a href="/console">Continue to the console</a></p>`,
      });
    },
  );

  scope.post(
    "/console/account/totp/disable",
    { schema: { hide: true } },
    async (request, reply) => {
      const who = await acting(request);
      if (services.config.consoleRequire2fa && who.viewer.kind === "operator") {
        throw new HandoffError("forbidden", "operators must keep a second factor here");
      }
      await services.consoleAuth.totp.disable(who.viewer.id, str(request.body as Form, "code"));
      return reply.redirect("/console/account?done=totp_off", 303);
    },
  );

  scope.post("/console/sign-out", { schema: { hide: true } }, async (request, reply) => {
    const { session } = await acting(request, { owing: true });
    await services.consoleAuth.signOut(session.id);
    clearConsoleCookie(services, reply);
    return reply.redirect("/console/sign-in", 303);
  });

  // Overview: recent logins and failures per partner, over 24 hours

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
            html`<a href="/console/partners/${p.id}">${p.name}</a>`,
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

  // Partners (operators see all; a partner user goes to their own)

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
          html`<a href="/console/partners/${p.id}">${p.name}</a>`,
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
    return send(reply.code(201), who.session, {
      title: "Partner created",
      active: "/console/partners",
      status: 201,
      body: html`<h1>${created.partner.name} is created</h1><p>Partner ID: <code>${created.partner.id}</code></p>${shownOnce("Partner token", created.partnerToken)}<p>Give the partner token to the partner by a safe channel, then <a href="/console/partners/${created.partner.id}/users">create their first admin</a>.</p>`,
    });
  });

  const Partner = "/console/partners/:partnerId";
  type PartnerRequest = FastifyRequest<{ Params: { partnerId: string } }>;

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
    const link = operator
      ? html`<form class="row" method="post" action="/console/partners/${partner.id}/sub-accounts">${csrfField(session)}<div><label for="child">Link a sub-account (partner ID)</label><input id="child" name="sub_account_id" required></div><button type="submit" class="secondary">Link</button></form>`
      : html``;
    return send(reply, session, {
      title: partner.name,
      active: operator ? "/console/partners" : "/console",
      body: html`<h1>${partner.name}</h1>${notice(request)}${tabs(partner.id, "")}<div class="card"><dl><dt>Partner ID</dt><dd><code>${partner.id}</code></dd><dt>Status</dt><dd>${badge(partner.status)}</dd><dt>Contract ends</dt><dd>${when(partner.contract_expires_at)}</dd><dt>Created</dt><dd>${when(partner.created_at)}</dd></dl>${statusForm}</div><h2>Sub-accounts</h2><p class="muted">This partner may act on behalf of these accounts.</p>${table(
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

  // Token Management (seed 001's page): API tokens, the partner token, the SSO key

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
            ? html`<h2>New API token</h2><form class="card" method="post" action="/console/partners/${partner.id}/api-tokens">${csrfField(session)}<div class="row"><div><label for="token-name">Name</label><input id="token-name" name="name" required maxlength="200" placeholder="checkout backend"></div><div><label for="token-expiry">Expires <span class="muted">(optional)</span></label><input id="token-expiry" name="expires_at" type="date"></div><button type="submit">Create API token</button></div></form><h2>Partner token</h2><div class="card"><p>A new partner token replaces the current one; the current one keeps working for ${duration(services.config.partnerTokenOverlapSeconds)}, so your systems can switch over.</p><a class="button secondary" href="/console/partners/${partner.id}/partner-token/rotate">Rotate partner token</a></div><h2>SSO key</h2><div class="card"><p>The SSO key signs in with seed 003's one-call shape. A new key stops the old one at once.</p><a class="button secondary" href="/console/partners/${partner.id}/sso-key/rotate">Issue a new SSO key</a></div>`
            : html`<p class="muted">You can see the tokens; an admin of your partner can change them.</p>`
        }`,
      });
    },
  );

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
      return send(reply.code(201), who.session, {
        title: "API token created",
        status: 201,
        body: html`<h1>API token “${created.apiToken.name}” is created</h1>${shownOnce("API token", created.token)}<p><a href="/console/partners/${request.params.partnerId}/tokens">Back to Token Management</a></p>`,
      });
    },
  );

  type TokenRequest = FastifyRequest<{ Params: { partnerId: string; tokenId: string } }>;
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
        return send(reply.code(201), who.session, {
          title: `New ${rotation.label}`,
          status: 201,
          body: html`<h1>New ${rotation.label}</h1>${shownOnce(rotation.label, secret)}<p><a href="/console/partners/${request.params.partnerId}/tokens">Back to Token Management</a></p>`,
        });
      },
    );
  }

  // Users of the partner

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
        body: html`<h1>Users · ${partner.name}</h1>${notice(request)}${tabs(partner.id, "/users")}<p class="muted">The people of this partner who sign in to the console (and to seed 000's password grant).</p>${table(
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
              writer && locked
                ? html`<form class="inline" method="post" action="/console/partners/${partner.id}/users/${u.id}/unlock">${csrfField(session)}<button class="secondary" type="submit">Unlock</button></form>`
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

  // Activity: "why did this login fail?"

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
      const detail = (value: string | null) => {
        if (!value) return "";
        const parsed = JSON.parse(value) as Record<string, unknown>;
        return Object.entries(parsed)
          .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(", ");
      };
      return send(reply, session, {
        title: `Activity · ${partner.name}`,
        active:
          session.viewer.kind === "operator"
            ? "/console/partners"
            : `/console/partners/${partner.id}/activity`,
        body: html`<h1>Activity · ${partner.name}</h1>${tabs(partner.id, "/activity")}<h2>Login links</h2><p class="muted">The newest login links this partner made, what became of each, and why one did not work.</p>${table(
          ["Created", "Link", "User", "App", "Status", "Reason", "Last failed attempt"],
          tickets.map((t) => [
            html`${when(t.created_at)}`,
            html`<code>${t.id}</code>`,
            html`<code>${t.user_id}</code>`,
            html`${t.app}`,
            badge(t.status),
            html`${t.reason ?? ""}`,
            t.last_failure ? html`${t.last_failure.reason} at ${when(t.last_failure.at)}` : html``,
          ]),
          "No login links yet.",
        )}${older("tickets_before", lastTicket && Date.parse(lastTicket.created_at), "Older login links")}<h2>Events</h2>${table(
          ["When", "What", "Outcome", "Who", "From", "Details"],
          entries.map((e) => [
            html`${when(e.at)}`,
            html`${e.action} <code>${e.subject ?? ""}</code>`,
            badge(e.outcome),
            html`${e.actor}`,
            html`${e.ip ?? ""}`,
            html`${detail(e.detail)}`,
          ]),
          "Nothing has happened yet.",
        )}${older("events_before", lastEntry?.at, "Older events")}`,
      });
    },
  );

  // Integration: copy-paste requests with the partner's own ids

  scope.get(
    `${Partner}/integration`,
    { schema: { hide: true } },
    async (request: PartnerRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const partner = await management.getPartner(session.viewer, request.params.partnerId);
      const base = services.config.baseUrl;
      const curl = `# 1. Exchange your partner token and an API token for a 24-hour access token
curl -s ${base}/v1/auth/token \\
  -H 'content-type: application/json' \\
  -d '{"partner_token": "'"$HANDOFF_PARTNER_TOKEN"'", "api_token": "'"$HANDOFF_API_TOKEN"'"}'

# 2. Mint a login link for one of your users (created on first use)
curl -s ${base}/v1/sso/tickets \\
  -H "authorization: Bearer $ACCESS_TOKEN" \\
  -H 'content-type: application/json' \\
  -d '{"user": {"id": "user-42", "email": "ada@example.com"}, "app": "APP_ID"}'
# → {"login_url": "${base}/login/hts_…", …}: send the user's browser there.`;
      const ts = `// Partner ${partner.id} (${partner.name})
const base = "${base}";

const exchange = await fetch(\`\${base}/v1/auth/token\`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    partner_token: process.env.HANDOFF_PARTNER_TOKEN,
    api_token: process.env.HANDOFF_API_TOKEN,
  }),
});
const { access_token } = await exchange.json();

const minted = await fetch(\`\${base}/v1/sso/tickets\`, {
  method: "POST",
  headers: { authorization: \`Bearer \${access_token}\`, "content-type": "application/json" },
  body: JSON.stringify({ user: { id: "user-42", email: "ada@example.com" }, app: "APP_ID" }),
});
const { login_url } = await minted.json();
// Redirect the user's browser to login_url.`;
      return send(reply, session, {
        title: `Integration · ${partner.name}`,
        active:
          session.viewer.kind === "operator"
            ? "/console/partners"
            : `/console/partners/${partner.id}/integration`,
        body: html`<h1>Integration · ${partner.name}</h1>${tabs(partner.id, "/integration")}<p>Your partner ID is <code>${partner.id}</code>; Handoff is at <code>${base}</code>. Keep the partner token and API tokens on your server, never in a browser. The full API is described at <a href="/openapi.json">/openapi.json</a>.</p><h2>curl</h2><div class="row"><button type="button" data-copy="snippet-curl" class="secondary">Copy</button></div><pre id="snippet-curl" tabindex="0">${curl}</pre><h2>TypeScript (Node.js 20+)</h2><div class="row"><button type="button" data-copy="snippet-ts" class="secondary">Copy</button></div><pre id="snippet-ts" tabindex="0">${ts}</pre>`,
      });
    },
  );

  // The platform's own: apps, keys, the audit log (operators)

  scope.get("/console/apps", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const apps = await management.listApps(session.viewer);
    return send(reply, session, {
      title: "Apps",
      active: "/console/apps",
      body: html`<h1>Apps</h1><p class="muted">The platform's web apps that login links open. Change them with the management API (<code>PATCH /v1/manage/apps/{id}</code>) or <code>handoff app update</code>.</p>${table(
        ["Name", "ID", "URL", "Return paths", "Link lifetime", "Session (idle / max)", "OIDC"],
        apps.map((a) => [
          html`${a.name}`,
          html`<code>${a.id}</code>`,
          html`<code>${a.baseUrl}</code>`,
          html`${a.returnPaths.join(", ")}`,
          html`${a.ticketTtlDefault} s (max ${a.ticketTtlMax} s)`,
          html`${Math.round(a.sessionIdleSeconds / 60)} min / ${Math.round(a.sessionAbsoluteSeconds / 3600)} h`,
          html`${a.oidc.redirectUris.length > 0 ? a.oidc.redirectUris.join(", ") : "—"}`,
        ]),
        "No apps yet.",
      )}`,
    });
  });

  scope.get("/console/keys", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    const keys = management.listKeys(session.viewer);
    return send(reply, session, {
      title: "Signing keys",
      active: "/console/keys",
      body: html`<h1>Signing keys</h1>${notice(request)}<p class="muted">The keys that sign access tokens and ID tokens, published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.</p>${table(
        ["Key ID", "Algorithm", "Created", "Retires"],
        keys.map((k) => [
          html`<code>${k.kid}</code>`,
          html`${k.alg}`,
          html`${when(k.created_at)}`,
          html`${when(k.retire_at)}`,
        ]),
        "No keys.",
      )}<form class="card" method="post" action="/console/keys">${csrfField(session)}<p>A rotation publishes new keys now; the current ones verify what they signed until it expires.</p><button type="submit">Rotate signing keys</button></form>`,
    });
  });

  scope.post("/console/keys", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request);
    await management.rotateKeys(who);
    return reply.redirect("/console/keys", 303);
  });

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
    const next = last
      ? `/console/audit?${new URLSearchParams({ ...filter, before: String(last.at) }).toString()}`
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
