// Handoff as an OpenID Connect provider: oidc-provider (the certified implementation) mounted
// under /oidc, its artefacts in Handoff's database, its keys from Handoff's key store, and its
// login step satisfied by a live Handoff session for the app (there is no login page: people
// arrive through a partner's login link).
import "./runtime-warning.js"; // before oidc-provider: see the file
import { hkdfSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import Provider, {
  type Account,
  type AccountClaims,
  type Configuration,
  errors,
  type FindAccount,
  interactionPolicy,
  type KoaContextWithOIDC,
} from "oidc-provider";
import type { AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { secretMatches } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import { Html, html, renderPage } from "../pages/html.js";
import { sessionCookieName, sessionCookieOptions } from "../sessions/cookies.js";
import type { LiveSession, SessionService } from "../sessions/service.js";
import { adapterFactory, PKCE_REQUIRED } from "./adapter.js";
import type { OidcStore } from "./store.js";

export const OIDC_MOUNT = "/oidc";
/** What ID tokens are signed with: RS256, which every OIDC client supports (Discovery 1.0 §3). */
const ID_TOKEN_ALG = "RS256";

/** Lifetimes (seconds). Codes are used within seconds; access tokens are short, checked on use. */
const TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 10 * 60,
  Interaction: 10 * 60,
  Grant: 12 * 3600,
  Session: 12 * 3600,
  RefreshToken: 12 * 3600,
};

/** E.164 from the stored number and country code (`+` and digits only). */
function e164(phone: LiveSession["phone"]): string | undefined {
  if (!phone) return undefined;
  const digits = `${phone.country_code}${phone.number}`.replace(/\D/g, "");
  return digits ? `+${digits}` : undefined;
}

/** What the OpenID provider uses. */
export interface OidcDeps {
  apps: AppService;
  clock: Clock;
  config: Config;
  database: Database;
  keys: KeyStore;
  oidcStore: OidcStore;
  redeemFailures: FailureLimiter;
  sessions: SessionService;
}

/**
 * The claims of a user as a Handoff session knows them (never the partner's auth token). A claim
 * the user does not have is left out, never null (OIDC Core 5.3.2; mod_auth_openidc warns on null).
 */
export function claimsOf(services: OidcDeps, session: LiveSession): AccountClaims {
  const partnerData = services.sessions.partnerData(session, false);
  const claims: AccountClaims = {
    sub: session.userId,
    partner: session.partnerId,
    fields: session.fields ?? {},
    partner_data: partnerData ?? {},
  };
  if (session.accountId !== session.partnerId) claims.sub_account = session.accountId;
  if (session.email) claims.email = session.email;
  if (session.otp?.alternateEmail) claims.alternate_email = session.otp.alternateEmail;
  const phone = e164(session.phone);
  if (phone) claims.phone_number = phone;
  if (session.name) claims.name = session.name;
  return claims;
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

function sendKoaPage(
  ctx: Pick<KoaContextWithOIDC, "set" | "status" | "body">,
  page: ReturnType<typeof renderPage>,
): void {
  ctx.status = page.status;
  ctx.set(page.headers);
  ctx.set("cache-control", "no-store");
  ctx.body = page.body;
}

/** The provider's errors that mean a credential was wrong (not a malformed or refused request). */
const GUESSES = new Set(["invalid_client", "invalid_grant", "invalid_token"]);

function buildProvider(services: OidcDeps, log: FastifyBaseLogger): Provider {
  const { config, keys } = services;
  const issuer = `${config.baseUrl}${OIDC_MOUNT}`;
  const cookieName = sessionCookieName(config);
  const secure = config.baseUrl.startsWith("https:");

  const findAccount: FindAccount = async (_ctx, sub, token) => {
    // At the authorization endpoint (no token yet) the login step has already checked the
    // Handoff session; later (code, refresh, userinfo) the grant's session must still be live.
    const grantId = token && "grantId" in token ? token.grantId : undefined;
    if (!grantId) return { accountId: sub, claims: () => ({ sub }) };
    const sessionId = await services.oidcStore.grantSession(grantId);
    const session = sessionId ? await services.sessions.live(sessionId) : null;
    if (!session || session.userId !== sub) return undefined;
    const account: Account = { accountId: sub, claims: () => claimsOf(services, session) };
    return account;
  };

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

  const configuration: Configuration = {
    adapter: adapterFactory(services.database, services.oidcStore, services.clock, services.apps),
    // Only the keys that sign ID tokens are published at jwks_uri: strict consumers (python-jose,
    // cjose in mod_auth_openidc) refuse a set that also holds the partner API's Ed25519 keys,
    // which stay at /.well-known/jwks.json.
    jwks: {
      keys: keys.privateJwks().keys.filter((key) => key.alg === ID_TOKEN_ALG),
    } as Configuration["jwks"],
    findAccount,
    claims: {
      // Standalone claims (always in the ID token when known).
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ["sub", "amr", "auth_time", "partner", "sub_account", "fields", "partner_data"],
      email: ["email", "alternate_email"],
      phone: ["phone_number"],
      profile: ["name"],
    },
    scopes: ["openid", "offline_access", "email", "phone", "profile"],
    responseTypes: ["code"],
    // Required unless the operator let this confidential client go without (passport-openidconnect
    // cannot send it); the interaction then demands a nonce (src/oidc/routes.ts).
    pkce: { required: (_ctx, client) => client[PKCE_REQUIRED] !== false },
    extraClientMetadata: {
      properties: [PKCE_REQUIRED],
      validator: (_ctx, key, value) => {
        if (key === PKCE_REQUIRED && typeof value !== "boolean") {
          throw new errors.InvalidClientMetadata(`${PKCE_REQUIRED} must be a boolean`);
        }
      },
    },
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
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // An app that proves who it signs out (a valid ID token hint for the signed-in person)
          // continues at once; anything else (a link on another site, say) waits for a click.
          // Either way the form carries `handoff=end`: only a form of this page, posted with its
          // XSRF secret, ends the Handoff session (see the middleware below).
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
        },
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
    },
    ttl: {
      AccessToken: TTL.AccessToken,
      AuthorizationCode: TTL.AuthorizationCode,
      IdToken: TTL.IdToken,
      Interaction: TTL.Interaction,
      Grant: TTL.Grant,
      Session: TTL.Session,
      RefreshToken: TTL.RefreshToken,
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    interactions: {
      // A path under the issuer's own (HANDOFF_BASE_URL may have a path behind a proxy).
      url: (_ctx, interaction) => `${new URL(issuer).pathname}/interaction/${interaction.uid}`,
      policy,
    },
    cookies: {
      keys: [Buffer.from(hkdfSync("sha256", config.secretKey, "", "handoff oidc cookies", 32))],
      long: { signed: true, httpOnly: true, sameSite: "lax", secure },
      short: { signed: true, httpOnly: true, sameSite: "lax", secure },
    },
    renderError: async (ctx, out) => {
      sendKoaPage(
        ctx,
        renderPage({
          status: ctx.status >= 400 ? ctx.status : 400,
          title: "Sign-in could not continue",
          body: html`<main><h1>Sign-in could not continue</h1><p>${out.error_description ?? "The request was not valid."}</p><p class="muted">Error: ${out.error}</p></main>`,
        }),
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  // Trust the forwarded protocol and host: the mount pins them to HANDOFF_BASE_URL (routes.ts).
  provider.proxy = true;

  // The app secret is stored as a SHA-256 hash only; compare what the client presents with it.
  // oidc-provider has no hook for hashed secrets, so its one comparison method is replaced.
  provider.Client.prototype.compareClientSecret = async function compare(actual: string) {
    return typeof this.clientSecret === "string" && secretMatches(actual, this.clientSecret);
  };

  // RP-initiated logout ends the Handoff session behind it as well, and clears its cookie, when
  // the person confirmed it on our logout page (`handoff=end`, posted with the page's XSRF
  // secret). oidc-provider's own self-posting forms (signing the previous person out on an
  // account switch; a logout with no provider session) never end a Handoff session.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.oidc?.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route !== "end_session_confirm" || ctx.status !== 303 || body?.handoff !== "end")
      return;
    const token = ctx.cookies.get(cookieName);
    try {
      if (token) await services.sessions.end(token, "oidc_logout", ctx.ip || null);
    } catch (error) {
      log.error({ err: error }, "ending the Handoff session at OIDC logout failed");
      ctx.remove("location");
      sendKoaPage(
        ctx,
        renderPage({
          status: 503,
          title: "Please try again in a moment",
          body: html`<main><h1>Please try again in a moment</h1><p>You could not be signed out just now. Go back to the app and sign out again.</p></main>`,
        }),
      );
      ctx.set("retry-after", "1");
      return;
    }
    const options = sessionCookieOptions(config);
    ctx.cookies.set(cookieName, "", {
      path: options.path,
      httpOnly: true,
      sameSite: "lax",
      secure,
      expires: new Date(0),
      overwrite: true,
    });
  });

  provider.on("server_error", (_ctx, error) => {
    log.error({ err: error }, "oidc provider error");
  });
  // A wrong client secret, a guessed code or refresh token, a garbage access token: each counts
  // as a failed credential attempt of the client's address, as unknown login links do.
  const failed = (ctx: KoaContextWithOIDC, error: { error?: string }) => {
    if (error.error && GUESSES.has(error.error)) {
      void services.redeemFailures.fail(ctx.ip, log).catch(() => undefined);
    }
  };
  provider.on("grant.error", failed);
  provider.on("revocation.error", failed);
  provider.on("introspection.error", failed);
  provider.on("userinfo.error", failed);
  return provider;
}

/**
 * The provider of one app, built on first use (the RS256 key is made then) and rebuilt when the
 * key set or the signing keys change, so a rotation reaches ID tokens like it reaches access
 * tokens.
 */
export class OidcService {
  #built: {
    provider: Provider;
    callback: ReturnType<Provider["callback"]>;
    state: string;
  } | null = null;

  constructor(
    private readonly services: OidcDeps,
    private readonly log: FastifyBaseLogger,
  ) {}

  async provider(): Promise<Provider> {
    return (await this.#current()).provider;
  }

  async #current() {
    const { keys } = this.services;
    if (!this.#built || this.#built.state !== keys.signingState()) {
      await keys.ensure("RS256");
      const provider = buildProvider(this.services, this.log);
      this.#built = { provider, callback: provider.callback(), state: keys.signingState() };
    }
    return this.#built;
  }

  /** Hands a raw request to oidc-provider (the path already stripped of the mount). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { callback } = await this.#current();
    await callback(req, res);
  }
}
