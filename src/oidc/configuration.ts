// The provider's Configuration: keys, claims, clients, lifetimes, cookies, login policy, pages.
import "./runtime-warning.js"; // before oidc-provider: see the file
import { hkdfSync } from "node:crypto";
import {
  type Configuration,
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from "oidc-provider";
import type { AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import { Html, html, renderPage } from "../pages/html.js";
import type { FrontChannelLogout } from "../saml/front-channel.js";
import { sessionCookieName } from "../sessions/cookies.js";
import type { LiveSession, SessionService } from "../sessions/service.js";
import { adapterFactory, FRONTCHANNEL_LOGOUT, PKCE_REQUIRED } from "./adapter.js";
import { accountFinder, scopeClaims } from "./claims.js";
import type { OidcStore } from "./store.js";

export { OIDC_MOUNT } from "./mount.js";

/** What ID tokens are signed with: RS256, which every OIDC client supports (Discovery 1.0 §3). */
const ID_TOKEN_ALG = "RS256";

/** Lifetimes (seconds). Codes are used within seconds; access tokens are short, checked on use. */
const TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 10 * 60,
  Interaction: 10 * 60,
  Grant: 12 * 3600,
  /**
   * A signed-in person's provider session lives as long as a Handoff session may; one made for
   * nobody (an RP-initiated logout without a session writes one for its confirmation form)
   * lives as long as an interaction, so anonymous traffic leaves nothing long-lived behind.
   */
  Session: (_ctx: unknown, session: { accountId?: string | undefined }) =>
    session.accountId ? 12 * 3600 : 10 * 60,
  RefreshToken: 12 * 3600,
};

/** What the OpenID provider uses. */
export interface OidcDeps {
  apps: AppService;
  clock: Clock;
  config: Config;
  database: Database;
  keys: KeyStore;
  oidcStore: OidcStore;
  redeemFailures: FailureLimiter;
  /** The browser's logout steps after RP-initiated logout (front-channel OIDC, then SAML). */
  samlLogout: FrontChannelLogout;
  sessions: SessionService;
}

export function sendKoaPage(
  ctx: Pick<KoaContextWithOIDC, "set" | "status" | "body">,
  page: ReturnType<typeof renderPage>,
): void {
  ctx.status = page.status;
  ctx.set(page.headers);
  ctx.set("cache-control", "no-store");
  ctx.body = page.body;
}

/** The live Handoff session behind the request's cookie when it is for this client, or null. */
async function cookieSession(
  services: OidcDeps,
  ctx: KoaContextWithOIDC,
): Promise<LiveSession | null> {
  const session = await services.sessions.check(
    ctx.cookies.get(sessionCookieName(services.config)),
  );
  const client = ctx.oidc.client?.clientId;
  const app = session && client ? await services.apps.find(client) : null;
  return session && app && (await services.sessions.opens(session, app)) ? session : null;
}

/** The login step's policy: oidc-provider's own, and a live Handoff session for the app. */
function loginPolicy(services: OidcDeps): ReturnType<typeof interactionPolicy.base> {
  const policy = interactionPolicy.base();
  // Beside oidc-provider's own checks: the person must hold a live Handoff session for this app,
  // the one that made the grant in use. Ending the Handoff session (logout, revocation, a
  // suspended partner, its limits) therefore ends single sign-on into the app at once.
  policy.get("login")?.checks.add(
    new interactionPolicy.Check(
      "handoff_session",
      "a live Handoff session for this app is required",
      "login_required",
      async (ctx) => {
        const session = await cookieSession(services, ctx);
        if (!session || session.userId !== ctx.oidc.session?.accountId) return true;
        const grantId = ctx.oidc.session.grantIdFor(ctx.oidc.client?.clientId ?? "");
        return !grantId || (await services.oidcStore.grantSession(grantId)) !== session.id;
      },
    ),
  );
  return policy;
}

type LogoutSource = NonNullable<
  NonNullable<NonNullable<Configuration["features"]>["rpInitiatedLogout"]>["logoutSource"]
>;

/** The "sign out?" page of RP-initiated logout. */
const logoutSource: LogoutSource = async (ctx, form) => {
  // An app that proves who it signs out (a valid ID token hint for the signed-in person)
  // continues at once; anything else (a link on another site, say) waits for a click.
  // Either way the form carries `handoff=end`: only a form of this page, posted with its
  // XSRF secret, ends the Handoff session (see the middleware in provider.ts).
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: unknown } } | undefined;
  const proven =
    hint?.payload?.sub !== undefined && hint.payload.sub === ctx.oidc.session?.accountId;
  const target = ctx.oidc.params?.post_logout_redirect_uri;
  const continued = form
    .replace('id="op.logoutForm"', 'id="continue"')
    .replace(
      "</form>",
      '<input type="hidden" name="logout" value="yes"><input type="hidden" name="handoff" value="end"><button type="submit">Sign out</button></form>',
    );
  sendKoaPage(
    ctx,
    renderPage({
      title: "Sign out",
      autoSubmit: proven,
      formTargets: typeof target === "string" ? [new URL(target).origin] : [],
      body: proven
        ? html`<main><h1>Signing you out…</h1>${new Html(continued)}</main>`
        : html`<main><h1>Sign out?</h1><p>Press the button to sign out.</p>${new Html(continued)}</main>`,
    }),
  );
};

/**
 * oidc-provider's features: no dev interactions; revocation, userinfo and logout pages on.
 * Pushed authorization requests and DPoP, on by default in oidc-provider 9, are off: no client
 * here needs them, nothing tests them, and discovery must advertise only what docs/oidc.md
 * documents. Back-channel logout is on for its discovery fields, its client metadata and the
 * `sid` in ID tokens; the tokens themselves are sent by Handoff whenever a Handoff session ends
 * (src/oidc/backchannel.ts), never by oidc-provider (provider.ts turns its sending off).
 */
function providerFeatures(): NonNullable<Configuration["features"]> {
  return {
    devInteractions: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    dPoP: { enabled: false },
    backchannelLogout: { enabled: true },
    revocation: {
      enabled: true,
      // oidc-provider's own rule, stated so it stops printing that it should be changed: a
      // client revokes only its own tokens (mod_auth_openidc revokes on every logout).
      allowedPolicy: async (_ctx, client, token) => {
        if (token.clientId === client.clientId) return true;
        throw new errors.InvalidRequest("client is not authorized to revoke the presented token");
      },
    },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource,
      postLogoutSuccessSource: async (ctx) => {
        sendKoaPage(
          ctx,
          renderPage({
            title: "Signed out",
            body: html`<main><h1>You are signed out</h1><p>You can close this page.</p></main>`,
          }),
        );
      },
    },
  };
}

/** The page for a request the provider refuses. */
const renderError: NonNullable<Configuration["renderError"]> = async (ctx, out) => {
  sendKoaPage(
    ctx,
    renderPage({
      status: ctx.status >= 400 ? ctx.status : 400,
      title: "Sign-in could not continue",
      body: html`<main><h1>Sign-in could not continue</h1><p>${out.error_description ?? "The request was not valid."}</p><p class="muted">Error: ${out.error}</p></main>`,
    }),
  );
};

/** Our own client metadata: whether the client must use PKCE, whether it has front-channel logout. */
function extraClientMetadata(): NonNullable<Configuration["extraClientMetadata"]> {
  return {
    properties: [PKCE_REQUIRED, FRONTCHANNEL_LOGOUT],
    validator: (_ctx, key, value) => {
      if ((key === PKCE_REQUIRED || key === FRONTCHANNEL_LOGOUT) && typeof value !== "boolean") {
        throw new errors.InvalidClientMetadata(`${key} must be a boolean`);
      }
    },
  };
}

/** The whole Configuration of the provider at `issuer`. */
export function providerConfiguration(services: OidcDeps, issuer: string): Configuration {
  const { config, keys } = services;
  const secure = config.baseUrl.startsWith("https:");
  return {
    adapter: adapterFactory(services.database, services.oidcStore, services.clock, services.apps),
    // Only the keys that sign ID tokens are published at jwks_uri: strict consumers (python-jose,
    // cjose in mod_auth_openidc) refuse a set that also holds the partner API's Ed25519 keys,
    // which stay at /.well-known/jwks.json.
    jwks: {
      keys: keys.privateJwks().keys.filter((key) => key.alg === ID_TOKEN_ALG),
    } as Configuration["jwks"],
    findAccount: accountFinder(services),
    claims: scopeClaims(),
    scopes: ["openid", "offline_access", "email", "phone", "profile"],
    responseTypes: ["code"],
    // Required unless the operator let this confidential client go without (passport-openidconnect
    // cannot send it); the interaction then demands a nonce (src/oidc/routes.ts).
    pkce: { required: (_ctx, client) => client[PKCE_REQUIRED] !== false },
    extraClientMetadata: extraClientMetadata(),
    // Everything the scopes grant goes in the ID token as well as userinfo: apps need not call back.
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: ID_TOKEN_ALG,
    },
    enabledJWA: {
      idTokenSigningAlgValues: [ID_TOKEN_ALG],
    },
    clientAuthMethods: ["client_secret_basic", "client_secret_post"],
    features: providerFeatures(),
    // oidc-provider 9 has no Front-Channel Logout: Handoff does it (src/oidc/frontchannel.ts) and
    // says so here, beside oidc-provider's one default of this list.
    discovery: {
      claim_types_supported: ["normal"],
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
    },
    ttl: { ...TTL },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    interactions: {
      // A path under the issuer's own (HANDOFF_BASE_URL may have a path behind a proxy).
      url: (_ctx, interaction) => `${new URL(issuer).pathname}/interaction/${interaction.uid}`,
      policy: loginPolicy(services),
    },
    cookies: {
      keys: [Buffer.from(hkdfSync("sha256", config.secretKey, "", "handoff oidc cookies", 32))],
      long: { signed: true, httpOnly: true, sameSite: "lax", secure },
      short: { signed: true, httpOnly: true, sameSite: "lax", secure },
    },
    renderError,
  };
}
