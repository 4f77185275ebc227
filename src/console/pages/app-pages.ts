// The platform's apps in the console (operators): create one (its app secret shown once), and
// see or change its settings: where links land, its OIDC client and SAML service provider
// settings, its products and sign-in group. The form's fields are the management API's
// (`POST /v1/manage/apps`, `PATCH /v1/manage/apps/{id}`), read by the same `appChanges`.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { App } from "../../apps/service.js";
import { HandoffError } from "../../http/errors.js";
import { type Html, html } from "../../pages/html.js";
import { appChanges } from "../api/schemas.js";
import { requireOperator } from "../management-access.js";
import { type Deps, type Form, notice, type PageKit, send, str } from "./page-kit.js";
import { redirectToSecret } from "./shown-once.js";
import { csrfField } from "./views.js";

type AppRequest = FastifyRequest<{ Params: { appId: string } }>;

/** One value per line of a textarea, trimmed, blank lines dropped. */
const lines = (form: Form, name: string) =>
  str(form, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

/** The form as the management API's body: the same names, read by the same appChanges. */
function changesOf(form: Form) {
  const entityId = str(form, "saml_entity_id");
  const metadata = str(form, "saml_metadata");
  return appChanges({
    name: str(form, "name"),
    url: str(form, "url"),
    return_paths: lines(form, "return_paths"),
    products: lines(form, "products"),
    sign_in_group: str(form, "sign_in_group") || null,
    oidc_redirect_uris: lines(form, "redirect_uris"),
    oidc_post_logout_redirect_uris: lines(form, "post_logout_redirect_uris"),
    ...(metadata
      ? { saml_metadata: metadata }
      : {
          saml: entityId ? { entity_id: entityId, acs_urls: lines(form, "saml_acs_urls") } : null,
        }),
  });
}

const textarea = (name: string, label: string, values: string[], hint: string) =>
  html`<div class="field"><label for="${name}">${label} <span class="muted">(${hint})</span></label><textarea id="${name}" name="${name}" rows="3">${values.join("\n")}</textarea></div>`;
const input = (name: string, label: string, value: string, extra: Html = html``) =>
  html`<div class="field"><label for="${name}">${label}</label><input id="${name}" name="${name}" value="${value}"${extra}></div>`;

/** The app's settings as a form (empty for a new app). */
function appForm(action: string, csrf: Html, app: App | null, button: string): Html {
  const saml = app?.saml;
  return html`<form class="card" method="post" action="${action}">${csrf}${input("name", "Name", app?.name ?? "", html` required maxlength="200"`)}${input("url", "Base URL", app?.baseUrl ?? "", html` required type="url" placeholder="https://shop.example"`)}${textarea("return_paths", "Return paths", app?.returnPaths ?? ["/"], "one per line; a link may land under these")}${textarea("products", "Products", app?.products ?? [], "one per line; names partners may use instead of the app id")}${input("sign_in_group", "Sign-in group", app?.signInGroup ?? "")}<h2>OpenID Connect</h2>${textarea("redirect_uris", "Redirect URIs", app?.oidc.redirectUris ?? [], "one per line; any makes the app an OIDC client")}${textarea("post_logout_redirect_uris", "Post-logout redirect URIs", app?.oidc.postLogoutRedirectUris ?? [], "one per line")}<h2>SAML</h2>${input("saml_entity_id", "Service provider entity ID", saml?.entityId ?? "")}${textarea("saml_acs_urls", "ACS URLs", saml?.acsUrls ?? [], "one per line")}${textarea("saml_metadata", "Or paste the SP's metadata XML", [], "replaces the two fields above")}<button type="submit">${button}</button></form>`;
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
      body: html`<h1>New app</h1>${appForm("/console/apps", csrfField(session), null, "Create app")}`,
    });
  });

  scope.post("/console/apps", { schema: { hide: true } }, async (request, reply) => {
    const who = await acting(request);
    const changes = changesOf(request.body as Form);
    const app = await management.createApp(who, {
      ...changes,
      name: changes.name ?? "",
      baseUrl: changes.baseUrl ?? "",
    });
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
        body: html`<h1>${app.name}</h1>${notice(request)}<p>App ID: <code>${app.id}</code></p>${appForm(`/console/apps/${app.id}`, csrfField(session), app, "Save")}`,
      });
    },
  );

  scope.post(
    "/console/apps/:appId",
    { schema: { hide: true } },
    async (request: AppRequest, reply) => {
      const who = await acting(request);
      const changes = changesOf(request.body as Form);
      if (!changes.name || !changes.baseUrl) {
        throw new HandoffError("invalid_request", "an app needs a name and a base URL");
      }
      await management.updateApp(who, request.params.appId, changes);
      return reply.redirect(`/console/apps/${request.params.appId}?done=app_saved`, 303);
    },
  );
}
