// The platform's apps in the console (operators): create one (its app secret shown once), see or
// change its settings (where links land, its OIDC client and SAML service provider settings, its
// products and sign-in group), and issue it a new secret. The form's fields are the management API's
// (`POST /v1/manage/apps`, `PATCH /v1/manage/apps/{id}`), read by the same `appChanges`.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { APP_DEFAULTS } from "../../apps/model.js";
import type { App } from "../../apps/service.js";
import { HandoffError } from "../../http/errors.js";
import { toHandoffError } from "../../http/problem.js";
import { type Html, html } from "../../pages/html.js";
import { appChanges } from "../api/schemas.js";
import { requireOperator } from "../management-access.js";
import type { Viewer } from "../signin/service.js";
import { type Deps, type Form, notice, type PageKit, send, str } from "./page-kit.js";
import { redirectToSecret } from "./shown-once.js";
import { alert, csrfField } from "./views.js";

type AppRequest = FastifyRequest<{ Params: { appId: string } }>;

/** One value per line of a textarea, trimmed, blank lines dropped. */
const lines = (form: Form, name: string) =>
  str(form, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

/** A whole number of seconds; undefined when the field is empty (the app's default, or as is). */
function seconds(form: Form, name: string, label: string): number | undefined {
  const value = str(form, name);
  if (!value) return undefined;
  if (!/^[0-9]{1,10}$/.test(value)) {
    throw new HandoffError("invalid_request", `${label} must be a whole number of seconds`);
  }
  return Number(value);
}

/** The form as the management API's body: the same names, read by the same appChanges. */
function changesOf(form: Form) {
  const entityId = str(form, "saml_entity_id");
  const metadata = str(form, "saml_metadata");
  const ipBinding = str(form, "ip_binding");
  if (ipBinding !== "" && ipBinding !== "exact" && ipBinding !== "prefix") {
    throw new HandoffError("invalid_request", "IP binding must be exact or prefix");
  }
  const ttl = seconds(form, "ticket_ttl", "Link lifetime");
  const ttlMax = seconds(form, "ticket_ttl_max", "Longest link lifetime");
  const idle = seconds(form, "session_idle", "Session idle limit");
  const absolute = seconds(form, "session_absolute", "Session limit");
  return appChanges({
    name: str(form, "name"),
    url: str(form, "url"),
    return_paths: lines(form, "return_paths"),
    products: lines(form, "products"),
    ...(ttl !== undefined ? { ticket_ttl: ttl } : {}),
    ...(ttlMax !== undefined ? { ticket_ttl_max: ttlMax } : {}),
    ...(idle !== undefined ? { session_idle: idle } : {}),
    ...(absolute !== undefined ? { session_absolute: absolute } : {}),
    failure_url: str(form, "failure_url") || null,
    ...(ipBinding === "exact" || ipBinding === "prefix" ? { ip_binding: ipBinding } : {}),
    // An unticked checkbox sends nothing.
    sees_auth_token: str(form, "sees_auth_token") === "on",
    sign_in_group: str(form, "sign_in_group") || null,
    oidc_redirect_uris: lines(form, "redirect_uris"),
    oidc_post_logout_redirect_uris: lines(form, "post_logout_redirect_uris"),
    oidc_backchannel_logout_uri: str(form, "backchannel_logout_uri") || null,
    oidc_frontchannel_logout_uri: str(form, "frontchannel_logout_uri") || null,
    ...(metadata
      ? { saml_metadata: metadata }
      : {
          saml: entityId ? { entity_id: entityId, acs_urls: lines(form, "saml_acs_urls") } : null,
        }),
  });
}

/** The app's settings as the form's values (a new app's defaults when null). */
function valuesOf(app: App | null): Form {
  const defaults = app ?? { ...APP_DEFAULTS, returnPaths: ["/"], seesAuthToken: false };
  return {
    name: app?.name ?? "",
    url: app?.baseUrl ?? "",
    return_paths: defaults.returnPaths.join("\n"),
    products: app?.products.join("\n") ?? "",
    ticket_ttl: String(defaults.ticketTtlDefault),
    ticket_ttl_max: String(defaults.ticketTtlMax),
    session_idle: String(defaults.sessionIdleSeconds),
    session_absolute: String(defaults.sessionAbsoluteSeconds),
    failure_url: app?.failureUrl ?? "",
    ip_binding: app?.ipBinding ?? "exact",
    sees_auth_token: defaults.seesAuthToken ? "on" : undefined,
    sign_in_group: app?.signInGroup ?? "",
    redirect_uris: app?.oidc.redirectUris.join("\n") ?? "",
    post_logout_redirect_uris: app?.oidc.postLogoutRedirectUris.join("\n") ?? "",
    backchannel_logout_uri: app?.oidc.backchannelLogoutUri ?? "",
    frontchannel_logout_uri: app?.oidc.frontchannelLogoutUri ?? "",
    saml_entity_id: app?.saml?.entityId ?? "",
    saml_acs_urls: app?.saml?.acsUrls.join("\n") ?? "",
  };
}

const textarea = (values: Form, name: string, label: string, hint: string) =>
  html`<div class="field"><label for="${name}">${label} <span class="muted">(${hint})</span></label><textarea id="${name}" name="${name}" rows="3">${values[name] ?? ""}</textarea></div>`;
const input = (values: Form, name: string, label: string | Html, extra: Html = html``) =>
  html`<div class="field"><label for="${name}">${label}</label><input id="${name}" name="${name}" value="${values[name] ?? ""}"${extra}></div>`;
const secondsInput = (values: Form, name: string, label: string, min: number) =>
  html`<div><label for="${name}">${label} <span class="muted">(seconds)</span></label><input id="${name}" name="${name}" type="number" min="${min}" step="1" value="${values[name] ?? ""}"></div>`;

/** The app's settings as a form: what it holds (or what was typed, with `error` above it). */
function appForm(
  action: string,
  csrf: Html,
  values: Form,
  button: string,
  error: string | null = null,
): Html {
  const binding = (value: string, label: string) =>
    html`<option value="${value}"${values.ip_binding === value ? html` selected` : ""}>${label}</option>`;
  return html`${error ? alert(error) : ""}<form class="card" method="post" action="${action}">${csrf}${input(values, "name", "Name", html` required maxlength="200"`)}${input(values, "url", "Base URL", html` required type="url" placeholder="https://shop.example"`)}${textarea(values, "return_paths", "Return paths", "one per line; a link may land under these")}${textarea(values, "products", "Products", "one per line; names partners may use instead of the app id")}${input(values, "sign_in_group", "Sign-in group")}<h2>Login links and sessions</h2><div class="row field">${secondsInput(values, "ticket_ttl", "Link lifetime", 1)}${secondsInput(values, "ticket_ttl_max", "Longest link lifetime a partner may ask for", 1)}</div><div class="row field">${secondsInput(values, "session_idle", "Session idle limit", 60)}${secondsInput(values, "session_absolute", "Session limit however active", 60)}</div>${input(values, "failure_url", html`Failure URL <span class="muted">(optional: where a dead link's page sends the person)</span>`, html` type="url"`)}<div class="field"><label for="ip_binding">IP binding <span class="muted">(for links minted with bind_ip; a link without one is not bound)</span></label><select id="ip_binding" name="ip_binding">${binding("exact", "Exact address")}${binding("prefix", "Same network (IPv4 /24, IPv6 /64)")}</select></div><div class="field checks"><label><input type="checkbox" name="sees_auth_token"${values.sees_auth_token === "on" ? html` checked` : ""}> The app may see the partner's auth_token</label></div><h2>OpenID Connect</h2>${textarea(values, "redirect_uris", "Redirect URIs", "one per line; any makes the app an OIDC client")}${textarea(values, "post_logout_redirect_uris", "Post-logout redirect URIs", "one per line")}${input(values, "backchannel_logout_uri", html`Back-channel logout URI <span class="muted">(optional: Handoff posts a Logout Token there when the person's session ends)</span>`, html` type="url"`)}${input(values, "frontchannel_logout_uri", html`Front-channel logout URI <span class="muted">(optional: the browser loads it in a hidden frame when the person signs out; not used with a back-channel URI)</span>`, html` type="url"`)}<h2>SAML</h2>${input(values, "saml_entity_id", "Service provider entity ID")}${textarea(values, "saml_acs_urls", "ACS URLs", "one per line")}${textarea({}, "saml_metadata", "Or paste the SP's metadata XML", "replaces the two fields above")}<button type="submit">${button}</button></form>`;
}

/** A mistake in the form (a 4xx other than 403 and 404): the form again, as typed, and why. */
function formMistake(error: unknown): string {
  const failure = toHandoffError(error);
  if (failure.status !== 400 && failure.status !== 409 && failure.status !== 422) throw error;
  return failure.message;
}

/** Issuing a new app secret: for operators only (the API's rule). */
function secretCard(viewer: Viewer, appId: string, csrf: Html) {
  if (viewer.kind !== "operator") return html``;
  return html`<h2>App secret</h2><div class="card"><p>A new secret stops the old one at once: the app's backend (introspection) and its OIDC client must be given the new one. It is shown once.</p><form method="post" action="/console/apps/${appId}/secret">${csrf}<button class="danger" type="submit">Issue a new secret</button></form></div>`;
}

export function appPages(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { viewer, acting } = kit;

  scope.get("/console/apps/new", { schema: { hide: true } }, async (request, reply) => {
    const session = await viewer(request, reply);
    if (!session) return reply;
    requireOperator(session.viewer); // the same rule as the API's createApp
    return send(reply, session, {
      title: "New app",
      active: "/console/apps",
      body: html`<h1>New app</h1>${appForm("/console/apps", csrfField(session), valuesOf(null), "Create app")}`,
    });
  });

  scope.post("/console/apps", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request);
    requireOperator(who.viewer);
    const form = (request.body ?? {}) as Form;
    let app: App;
    try {
      const changes = changesOf(form);
      app = await management.createApp(who, {
        ...changes,
        name: changes.name ?? "",
        baseUrl: changes.baseUrl ?? "",
      });
    } catch (error) {
      const message = formMistake(error);
      return send(reply, who.session, {
        title: "New app",
        active: "/console/apps",
        status: 400,
        body: html`<h1>New app</h1>${appForm("/console/apps", csrfField(who.session), form, "Create app", message)}`,
      });
    }
    const secret = await management.rotateAppSecret(who, app.id);
    return redirectToSecret(reply, services, who.session, {
      title: "App created",
      heading: `${app.name} is created`,
      ids: [["App ID (the OIDC client ID)", app.id]],
      label: "App secret",
      secret,
      advice:
        "The app's backend uses it for introspection, and as an OIDC client its client secret.",
      next: { href: `/console/apps/${app.id}`, text: "See the app's settings" },
    });
  });

  scope.get(
    "/console/apps/:appId",
    { schema: { hide: true } },
    async (request: AppRequest, reply) => {
      const session = await viewer(request, reply);
      if (!session) return reply;
      const app = await management.getApp(session.viewer, request.params.appId);
      return send(reply, session, {
        title: app.name,
        active: "/console/apps",
        body: html`<h1>${app.name}</h1>${notice(request)}<p>App ID: <code>${app.id}</code></p>${appForm(`/console/apps/${app.id}`, csrfField(session), valuesOf(app), "Save")}${secretCard(session.viewer, app.id, csrfField(session))}`,
      });
    },
  );

  scope.post(
    "/console/apps/:appId",
    { schema: { hide: true } },
    async (request: AppRequest, reply) => {
      const who = await acting(request);
      const app = await management.getApp(who.viewer, request.params.appId);
      const form = (request.body ?? {}) as Form;
      try {
        const changes = changesOf(form);
        if (!changes.name || !changes.baseUrl) {
          throw new HandoffError("invalid_request", "an app needs a name and a base URL");
        }
        await management.updateApp(who, app.id, changes);
      } catch (error) {
        const message = formMistake(error);
        return send(reply, who.session, {
          title: app.name,
          active: "/console/apps",
          status: 400,
          body: html`<h1>${app.name}</h1><p>App ID: <code>${app.id}</code></p>${appForm(`/console/apps/${app.id}`, csrfField(who.session), form, "Save", message)}`,
        });
      }
      return reply.redirect(`/console/apps/${app.id}?done=app_saved`, 303);
    },
  );
  secretPage(scope, services, kit);
}

/** A new app secret (the API's POST /v1/manage/apps/{id}/secret), shown once. */
function secretPage(scope: FastifyInstance, services: Deps, kit: PageKit): void {
  const { management } = services;
  const { acting } = kit;
  scope.post(
    "/console/apps/:appId/secret",
    { schema: { hide: true } },
    async (request: AppRequest, reply) => {
      const who = await acting(request);
      const app = await management.getApp(who.viewer, request.params.appId);
      const secret = await management.rotateAppSecret(who, app.id);
      return redirectToSecret(reply, services, who.session, {
        title: "New app secret",
        heading: `${app.name} has a new secret`,
        ids: [["App ID (the OIDC client ID)", app.id]],
        label: "App secret",
        secret,
        advice:
          "The old secret no longer works: give this one to the app's backend (introspection) and its OIDC client.",
        next: { href: `/console/apps/${app.id}`, text: "Back to the app" },
      });
    },
  );
}
