// The web console: server-rendered pages over the same Management methods as the management API.
// Forms post with the session's CSRF token; a destructive action asks first on a page of its own;
// a secret is shown once, on the page that answers its creation, and never again.
import type { FastifyInstance } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { accountKey } from "../../http/failures.js";
import { logError, toHandoffError } from "../../http/problem.js";
import { html } from "../../pages/html.js";
import { clearConsoleCookie, consoleSession, setConsoleCookie, signIn } from "../signin/guard.js";
import { activityPages } from "./activity-pages.js";
import { appPages } from "./app-pages.js";
import { callbackPages } from "./callback-pages.js";
import { groupPages } from "./group-pages.js";
import {
  codePage,
  type Deps,
  enrolPage,
  type Form,
  notice,
  owedStep,
  type PageKit,
  pageKit,
  send,
  str,
} from "./page-kit.js";
import { partnerPages } from "./partner-pages.js";
import { platformPages } from "./platform-pages.js";

import { shownOncePage } from "./shown-once.js";
import { timelinePage } from "./timeline-page.js";
import { tokenPages } from "./token-pages.js";
import { userPage } from "./user-page.js";
import { alert, badge, type ConsolePage, csrfField } from "./views.js";
import { webhookPages } from "./webhook-pages.js";

export function consolePages(scope: FastifyInstance, services: Deps): void {
  const kit = pageKit(services);
  errorPages(scope, services);
  oldAddresses(scope);
  signInPages(scope, services, kit);
  accountPages(scope, services, kit);
  platformPages(scope, services, kit);
  partnerPages(scope, services, kit);
  tokenPages(scope, services, kit);
  activityPages(scope, services, kit);
  timelinePage(scope, services, kit);
  userPage(scope, services, kit);
  shownOncePage(scope, services, kit);
  appPages(scope, services, kit);
  groupPages(scope, services, kit);
  webhookPages(scope, services, kit);
  callbackPages(scope, services, kit);
  unknownPages(scope);
}

/** Errors on a page are pages: the words of the error, the status, never a stack. */
function errorPages(scope: FastifyInstance, services: Deps): void {
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
}

/** A console address that does not exist is a page too, not the API's JSON problem. */
function unknownPages(scope: FastifyInstance): void {
  scope.all("/console/*", { schema: { hide: true } }, async () => {
    throw new HandoffError("not_found", "There is no such page in the console.");
  });
}

/** The dashboard's and portal's old addresses lead to the console. */
function oldAddresses(scope: FastifyInstance): void {
  for (const path of ["/dashboard", "/portal", "/login"]) {
    scope.get(path, { schema: { hide: true } }, (_request, reply) =>
      reply.redirect("/console", 302),
    );
  }
}

const signInPage = (error?: string, status = 200, values: Form = {}): ConsolePage => ({
  title: "Sign in",
  status,
  body: html`<div class="signin"><h1>Sign in to the console</h1>${error ? alert(error) : ""}<form class="card" method="post" action="/console/sign-in"><div class="field"><label for="login">Email or login</label><input id="login" name="login" autocomplete="username" required value="${values.login ?? ""}"></div><div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div><div class="field"><label for="partner_id">Partner ID <span class="muted">(partner users only)</span></label><input id="partner_id" name="partner_id" autocomplete="organization" value="${values.partner_id ?? ""}"></div><button type="submit">Sign in</button></form><p class="muted">Operators sign in with their email and leave Partner ID empty. Partner users also give their partner's ID.</p></div>`,
});

/** The sign-in form, and the code a sign-in owes. */
function signInPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { viewer, acting } = kit;

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
    // Six digits are few: wrong codes count per address and person (before any check).
    const key = accountKey(who.ip, who.session.viewer.id);
    await services.consoleFailures.check(key);
    try {
      await services.consoleAuth.giveCode(who.session, str(request.body as Form, "code"));
    } catch (error) {
      await services.consoleFailures.fail(key, request.log);
      const failure = toHandoffError(error);
      if (failure.code !== "invalid_credentials") throw error;
      const still = await consoleSession(services, request);
      if (!still) return reply.redirect("/console/sign-in", 303);
      return send(reply.code(401), null, codePage(still, failure.message));
    }
    return reply.redirect("/console", 303);
  });
}

/** One's own account and second factor, and signing out. */
function accountPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { viewer, acting, enrolling } = kit;

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
}
