// A listening Handoff with an app registered as an OIDC client, and the steps of a browser and
// of the app (openid-client) around it.
import * as client from "openid-client";
import type { Config } from "../../src/config.js";
import type { DialectName } from "../../src/db/database.js";
import { type TestApp, testApp } from "./app.js";
import { CookieJar } from "./jar.js";
import { freePort } from "./net.js";
import { mint, type SsoFixture, ssoFixture } from "./sso.js";

export const RP = "https://shop.example";
export const REDIRECT = `${RP}/callback`;

export interface OidcFixture {
  t: TestApp;
  base: string;
  fixture: SsoFixture;
  rp: client.Configuration;
}

export async function oidcFixture(
  dialect: DialectName,
  overrides: Partial<Config> = {},
): Promise<OidcFixture> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await testApp(dialect, { baseUrl: base, port, ...overrides });
  // oidc-provider keeps real time; Handoff's sessions follow the test clock, set to match.
  t.clock.set(Date.now());
  await t.app.listen({ port, host: "127.0.0.1" });
  const fixture = await ssoFixture(t.app, {
    baseUrl: RP,
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [`${RP}/signed-out`],
    refreshTokens: true,
  });
  return { t, base, fixture, rp: await relyingParty(base, fixture.appId, fixture.appSecret) };
}

export function relyingParty(base: string, clientId: string, secret: string) {
  return client.discovery(
    new URL(`${base}/oidc`),
    clientId,
    undefined,
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A person redeems a login link in `jar`, which then holds the Handoff session. */
export async function signIn(
  f: OidcFixture,
  jar = new CookieJar(),
  user: Record<string, unknown> = {
    id: "user-7",
    email: "ada@example.com",
    name: "Ada Lovelace",
    phone: { number: "5550100", country_code: "+1" },
  },
  fixture: SsoFixture = f.fixture,
): Promise<CookieJar> {
  const minted = await mint(f.t.app, fixture, {
    user,
    fields: { email: { editable: false, hidden: false, support_alternate: true } },
    partner_data: { auth_token: "partner-secret-token", tier: "gold" },
  });
  const landed = await jar.fetch(`${f.base}/login/${minted.ticket}`, { method: "POST" });
  if (landed.status !== 303) throw new Error(`redemption failed: ${landed.status}`);
  return jar;
}

/** The app sends the browser to /oidc/auth; returns where the browser ends up. */
export async function authorize(
  f: OidcFixture,
  jar: CookieJar,
  extra: Record<string, string> = {},
  rp: client.Configuration = f.rp,
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(rp, {
    redirect_uri: REDIRECT,
    scope: "openid email phone profile",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    ...extra,
  });
  let { response, url: landed } = await jar.follow(url.href, f.base);
  // A browser that switches people: oidc-provider signs the previous one out with a page that
  // posts itself (as a browser's script would), then resumes the authorization.
  if (response.status === 200 && landed.startsWith(`${f.base}/oidc/auth/`)) {
    const posted = await submit(jar, await response.text(), f.base);
    const next = posted.headers.get("location");
    if (next) ({ response, url: landed } = await jar.follow(new URL(next, f.base).href, f.base));
  }
  return { response, landed, verifier, state };
}

/** A full sign-in through to the app's tokens. */
export async function tokensFor(f: OidcFixture, jar?: CookieJar) {
  const browser = await signIn(f, jar);
  const { landed, verifier, state } = await authorize(f, browser);
  const tokens = await client.authorizationCodeGrant(f.rp, new URL(landed), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { tokens, jar: browser, landed, verifier, state };
}

/** The hidden inputs of a page's form and its action, as a browser would post them. */
export function formOf(page: string, base: string): { action: string; body: string } {
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error("no form on the page");
  const fields = new URLSearchParams();
  for (const [, name, value] of page.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g,
  ))
    fields.append(name as string, value as string);
  return { action: new URL(action.replace(/&amp;/g, "&"), base).href, body: fields.toString() };
}

/** Posts the page's form from the browser. */
export function submit(jar: CookieJar, page: string, base: string) {
  const { action, body } = formOf(page, base);
  return jar.fetch(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
}
