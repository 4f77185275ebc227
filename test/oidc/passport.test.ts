// Issue 15 item 9: passport-openidconnect (the current npm release) sends no PKCE. An operator can
// let one confidential client sign in without it (`pkceRequired: false`); that client must then
// send a nonce, and every other client still needs PKCE.
import OpenIDConnectStrategy from "passport-openidconnect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CookieJar } from "../helpers/jar.js";
import { type OidcFixture, oidcFixture, REDIRECT, signIn } from "../helpers/oidc.js";
import { ssoFixture } from "../helpers/sso.js";

type Outcome =
  | { kind: "redirect"; url: string }
  | { kind: "success"; user: Record<string, unknown> }
  | { kind: "fail" | "error"; detail: unknown };

/** Runs the strategy the way passport's middleware does, on a request of our making. */
function run(strategy: OpenIDConnectStrategy, req: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = Object.create(strategy) as OpenIDConnectStrategy & Record<string, unknown>;
    s.redirect = (url: string) => resolve({ kind: "redirect", url });
    s.success = (user: Record<string, unknown>) => resolve({ kind: "success", user });
    s.fail = (detail: unknown) => resolve({ kind: "fail", detail });
    s.error = (detail: unknown) => resolve({ kind: "error", detail });
    s.authenticate(req as never, {});
  });
}

describe("passport-openidconnect as a relying party", () => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture("sqlite");
  });
  afterEach(async () => f.t.app.close());

  const strategyFor = (clientId: string, secret: string, nonce: boolean) =>
    new OpenIDConnectStrategy(
      {
        issuer: `${f.base}/oidc`,
        authorizationURL: `${f.base}/oidc/auth`,
        tokenURL: `${f.base}/oidc/token`,
        userInfoURL: `${f.base}/oidc/me`,
        clientID: clientId,
        clientSecret: secret,
        callbackURL: REDIRECT,
        scope: ["profile", "email"],
        nonce: nonce ? "true" : undefined,
      },
      (_issuer: string, profile: Record<string, unknown>, done: (e: null, u: unknown) => void) =>
        done(null, profile),
    );

  /** The browser follows passport's redirect to Handoff; returns the callback's query. */
  async function throughHandoff(jar: CookieJar, url: string) {
    const { url: landed } = await jar.follow(url, f.base);
    return Object.fromEntries(new URL(landed).searchParams);
  }

  it("signs a person in without PKCE when the app allows it, with a nonce", async () => {
    const app = await ssoFixture(
      f.t.app,
      { baseUrl: "https://shop.example", redirectUris: [REDIRECT], pkceRequired: false },
      "Passport Partner",
    );
    const strategy = strategyFor(app.appId, app.appSecret, true);
    const session: Record<string, unknown> = {};
    const start = await run(strategy, { query: {}, session, headers: {}, url: "/login" });
    if (start.kind !== "redirect") throw new Error(`no redirect: ${JSON.stringify(start)}`);
    expect(new URL(start.url).searchParams.get("code_challenge")).toBeNull();
    const jar = await signIn(f, new CookieJar(), { id: "user-7", email: "ada@example.com" }, app);
    const query = await throughHandoff(jar, start.url);
    expect(query.code).toBeTruthy();
    const done = await run(strategy, { query, session, headers: {}, url: "/callback" });
    expect(done).toMatchObject({ kind: "success", user: { id: expect.any(String) } });
  });

  it("refuses that client without a nonce, and every other client without PKCE", async () => {
    const app = await ssoFixture(
      f.t.app,
      { baseUrl: "https://shop.example", redirectUris: [REDIRECT], pkceRequired: false },
      "Passport Partner",
    );
    const jar = await signIn(f, new CookieJar(), { id: "user-7" }, app);
    const noNonce = await run(strategyFor(app.appId, app.appSecret, false), {
      query: {},
      session: {},
      headers: {},
      url: "/login",
    });
    if (noNonce.kind !== "redirect") throw new Error("no redirect");
    expect(await throughHandoff(jar, noNonce.url)).toMatchObject({
      error: "invalid_request",
      error_description: "nonce is required when the client does not use PKCE",
    });
    const strict = await run(strategyFor(f.fixture.appId, f.fixture.appSecret, true), {
      query: {},
      session: {},
      headers: {},
      url: "/login",
    });
    if (strict.kind !== "redirect") throw new Error("no redirect");
    const refused = await throughHandoff(await signIn(f), strict.url);
    expect(refused).toMatchObject({ error: "invalid_request" });
    expect(refused.error_description).toMatch(/PKCE/);
  });
});
