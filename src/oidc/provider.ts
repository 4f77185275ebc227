// Handoff as an OpenID Connect provider: oidc-provider (the certified implementation) mounted
// under /oidc, its artefacts in Handoff's database, its keys from Handoff's key store, and its
// login step satisfied by a live Handoff session for the app (there is no login page: people
// arrive through a partner's login link). Its Configuration is in configuration.ts, claims in
// claims.ts.
import "./runtime-warning.js"; // before oidc-provider: see the file
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";
import { secretMatches } from "../crypto/secrets.js";
import { html, renderPage } from "../pages/html.js";
import { sessionCookieName, sessionCookieOptions } from "../sessions/cookies.js";
import type { LiveSession } from "../sessions/service.js";
import { FRONTCHANNEL_LOGOUT } from "./adapter.js";
import { OIDC_MOUNT, type OidcDeps, providerConfiguration, sendKoaPage } from "./configuration.js";
import { postLogoutRedirect } from "./post-logout.js";

export { OIDC_MOUNT, type OidcDeps } from "./configuration.js";

/** What a middleware of the provider receives (Koa's context, with `oidc` once it is routed). */
type ProviderContext = Parameters<Parameters<Provider["use"]>[0]>[0];

/** The provider's errors that mean a credential was wrong (not a malformed or refused request). */
const GUESSES = new Set(["invalid_client", "invalid_grant", "invalid_token"]);

/**
 * RP-initiated logout ends the Handoff session behind it as well, and clears its cookie, when
 * the person confirmed it on our logout page (`handoff=end`, posted with the page's XSRF
 * secret). oidc-provider's own self-posting forms (signing the previous person out on an
 * account switch; a logout with no provider session) never end a Handoff session.
 */
function endSessionOnLogout(provider: Provider, services: OidcDeps, log: FastifyBaseLogger): void {
  const { config } = services;
  const cookieName = sessionCookieName(config);
  const secure = config.baseUrl.startsWith("https:");
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.oidc?.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route !== "end_session_confirm" || ctx.status !== 303 || body?.handoff !== "end")
      return;
    const token = ctx.cookies.get(cookieName);
    let session: LiveSession | null = null;
    try {
      session = await services.sessions.check(token);
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
    if (session) await tellTheOtherApps(ctx, services, session, log);
  });
}

/**
 * After RP-initiated logout ended `session`: the browser goes through the same steps as after
 * POST /logout (front-channel OIDC clients, then SAML apps, src/saml/front-channel.ts) before it
 * lands where oidc-provider would have sent it: the client's post-logout redirect URI, only when
 * it is one the client registered (oidc-provider checked it; it is checked again at the end),
 * else the signed-out page. With no one to tell, oidc-provider's redirect stands.
 */
async function tellTheOtherApps(
  ctx: ProviderContext,
  services: OidcDeps,
  session: LiveSession,
  log: FastifyBaseLogger,
): Promise<void> {
  const client = ctx.oidc?.client?.clientId;
  const app = client ? await services.apps.find(client) : null;
  const finish = postLogoutRedirect(app, ctx.response.get("location")) ?? { kind: "page" };
  let step: Awaited<ReturnType<OidcDeps["samlLogout"]["afterProviderLogout"]>>;
  try {
    step = await services.samlLogout.afterProviderLogout(session, finish);
  } catch (error) {
    // The session has ended (and back-channel clients will hear): the person goes on as before.
    log.error({ err: error }, "starting the browser logout chain after OIDC logout failed");
    return;
  }
  if (!step) return;
  const { name, value, options } = step.cookie;
  const { maxAgeSeconds, ...rest } = options;
  ctx.cookies.set(name, value, { ...rest, maxAge: maxAgeSeconds * 1000, signed: false });
  ctx.remove("location");
  sendKoaPage(ctx, renderPage(step.page));
}

/**
 * A wrong client secret, a guessed code or refresh token, a garbage access token: each counts
 * as a failed credential attempt of the client's address, as unknown login links do, and a spray
 * is logged once a minute. None is refused in advance: each is a high-entropy secret checked by
 * one lookup, and a client behind the same address with the right one must be served.
 */
function countFailedCredentials(
  provider: Provider,
  services: OidcDeps,
  log: FastifyBaseLogger,
): void {
  const failed = (ctx: KoaContextWithOIDC, error: { error?: string }) => {
    if (error.error && GUESSES.has(error.error)) {
      void services.redeemFailures.fail(ctx.ip, log).catch(() => undefined);
    }
  };
  provider.on("grant.error", failed);
  provider.on("revocation.error", failed);
  provider.on("introspection.error", failed);
  provider.on("userinfo.error", failed);
}

function buildProvider(services: OidcDeps, log: FastifyBaseLogger): Provider {
  const issuer = `${services.config.baseUrl}${OIDC_MOUNT}`;
  const provider = new Provider(issuer, providerConfiguration(services, issuer));
  // Trust the forwarded protocol and host: the mount pins them to HANDOFF_BASE_URL (routes.ts).
  provider.proxy = true;

  // The app secret is stored as a SHA-256 hash only; compare what the client presents with it.
  // oidc-provider has no hook for hashed secrets, so its one comparison method is replaced.
  provider.Client.prototype.compareClientSecret = async function compare(actual: string) {
    return typeof this.clientSecret === "string" && secretMatches(actual, this.clientSecret);
  };
  // oidc-provider would send logout tokens itself, from the request, when its own session ends
  // (once, no retry, and not for a Handoff session ended elsewhere). Handoff sends them for
  // every Handoff session that ends, durably (src/oidc/backchannel.ts): a second copy from here
  // would reach each client twice.
  // (The method is missing from @types/oidc-provider, hence the cast.)
  const client = provider.Client.prototype as unknown as { backchannelLogout: () => Promise<void> };
  client.backchannelLogout = async () => {};
  // The `sid` goes in ID tokens for back-channel clients (oidc-provider's rule) and for
  // front-channel ones too: the iframe's URL names it (src/oidc/frontchannel.ts).
  const clientWithSid = provider.Client.prototype as unknown as {
    includeSid: () => boolean;
    [FRONTCHANNEL_LOGOUT]?: boolean;
    backchannelLogoutUri?: string;
    backchannelLogoutSessionRequired?: boolean;
  };
  clientWithSid.includeSid = function includeSid(this: typeof clientWithSid) {
    return (
      (Boolean(this.backchannelLogoutUri) && Boolean(this.backchannelLogoutSessionRequired)) ||
      this[FRONTCHANNEL_LOGOUT] === true
    );
  };

  endSessionOnLogout(provider, services, log);
  provider.on("server_error", (_ctx, error) => {
    log.error({ err: error }, "oidc provider error");
  });
  countFailedCredentials(provider, services, log);
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
