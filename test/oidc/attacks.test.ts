// What the OIDC provider refuses: unknown clients, foreign redirect URIs, missing or wrong PKCE,
// reused codes, wrong secrets, codes carried to another app, sessions of another app, ended or
// expired Handoff sessions, suspended partners, tampered ID tokens, forged Host headers.
import { createRemoteJWKSet, jwtVerify } from "jose";
import Provider from "oidc-provider";
import * as client from "openid-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PUBLISH_LEAD_MS } from "../../src/keys/service.js";
import { dialects, domainsOf, testApp } from "../helpers/app.js";
import { CookieJar } from "../helpers/jar.js";
import {
  authorize,
  type OidcFixture,
  oidcFixture,
  REDIRECT,
  RP,
  relyingParty,
  signIn,
  submit,
  tokensFor,
} from "../helpers/oidc.js";
import { ssoFixture } from "../helpers/sso.js";

function authUrl(f: OidcFixture, params: Record<string, string>): string {
  const url = new URL(`${f.base}/oidc/auth`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

const PKCE = {
  code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  code_challenge_method: "S256",
};

function redirectParams(location: string | null): URLSearchParams {
  if (!location) throw new Error("no redirect");
  return new URL(location).searchParams;
}

async function tokenRequest(f: OidcFixture, body: Record<string, string>, auth?: string) {
  return fetch(`${f.base}/oidc/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization:
        auth ??
        `Basic ${Buffer.from(`${f.fixture.appId}:${f.fixture.appSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams(body).toString(),
  });
}

describe.each(dialects)("OIDC refusals (%s)", (dialect) => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture(dialect);
  });
  afterEach(async () => f.t.app.close());

  it("shows an error page, never a redirect, for an unknown client or a foreign redirect URI", async () => {
    const jar = await signIn(f);
    for (const params of [
      { client_id: "app_unknown", redirect_uri: REDIRECT },
      { client_id: f.fixture.appId, redirect_uri: "https://evil.example/callback" },
      { client_id: f.fixture.appId, redirect_uri: `${REDIRECT}/../evil` },
      { client_id: f.fixture.appId, redirect_uri: `${REDIRECT}?x=1` },
    ]) {
      const response = await jar.fetch(
        authUrl(f, { ...params, response_type: "code", scope: "openid", ...PKCE }),
      );
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      const page = await response.text();
      expect(page).toContain("Sign-in could not continue");
      expect(page).toMatch(/invalid_client|invalid_redirect_uri/);
    }
  });

  it("requires PKCE with S256", async () => {
    const jar = await signIn(f);
    const base = {
      client_id: f.fixture.appId,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "openid",
      state: "s1",
    };
    const missing = await jar.fetch(authUrl(f, base));
    expect(missing.status).toBe(303);
    expect(redirectParams(missing.headers.get("location")).get("error")).toBe("invalid_request");
    const plain = await jar.fetch(
      authUrl(f, { ...base, code_challenge: "a".repeat(43), code_challenge_method: "plain" }),
    );
    expect(redirectParams(plain.headers.get("location")).get("error")).toBe("invalid_request");

    // A code obtained with a challenge cannot be exchanged with another verifier, nor without.
    const { landed } = await authorize(f, jar);
    const code = new URL(landed).searchParams.get("code") as string;
    const wrong = await tokenRequest(f, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      code_verifier: client.randomPKCECodeVerifier(),
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("stores codes, access and refresh tokens only as hashes; a row id copied from the database opens nothing (SECURITY row 49)", async () => {
    const { tokens, landed } = await tokensFor(f);
    const refreshed = await client.refreshTokenGrant(f.rp, tokens.refresh_token as string);
    const code = new URL(landed).searchParams.get("code") as string;
    const rows = await f.t.database.read
      .selectFrom("oidc_models")
      .select(["model", "id", "payload"])
      .execute();
    const dump = JSON.stringify(rows);
    for (const secret of [
      code,
      tokens.access_token,
      tokens.refresh_token as string,
      refreshed.access_token,
      refreshed.refresh_token as string,
    ]) {
      expect(dump).not.toContain(secret);
    }
    const stored = rows.find((r) => r.model === "AccessToken");
    expect(stored?.id).toMatch(/^[0-9a-f]{64}$/);
    const me = await fetch(`${f.base}/oidc/me`, {
      headers: { authorization: `Bearer ${stored?.id}` },
    });
    expect(me.status).toBe(401);
    await expect(
      client.fetchUserInfo(f.rp, refreshed.access_token, client.skipSubjectCheck),
    ).resolves.toMatchObject({ email: "ada@example.com" });
  });

  it("answers a NUL in a client id, code or refresh token as OAuth's own 400, never a 500 (SECURITY row 57)", async () => {
    const page = await fetch(
      authUrl(f, {
        client_id: "app\u0000",
        response_type: "code",
        redirect_uri: REDIRECT,
        ...PKCE,
      }),
    );
    expect(page.status).toBe(400);
    for (const body of [
      { grant_type: "authorization_code", code: "c\u0000", redirect_uri: REDIRECT },
      { grant_type: "refresh_token", refresh_token: "r\u0000" },
    ]) {
      const response = await tokenRequest(f, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
    }
    const foreign = await tokenRequest(
      f,
      { grant_type: "refresh_token", refresh_token: "r" },
      `Basic ${Buffer.from("app\u0000:secret").toString("base64")}`,
    );
    expect([400, 401]).toContain(foreign.status);
  });

  it("refuses a reused code and revokes what the first use gave", async () => {
    const { tokens, landed, verifier, state } = await tokensFor(f);
    await expect(
      client.authorizationCodeGrant(f.rp, new URL(landed), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(
      client.fetchUserInfo(f.rp, tokens.access_token, client.skipSubjectCheck),
    ).rejects.toBeInstanceOf(client.WWWAuthenticateChallengeError);
    await expect(
      client.refreshTokenGrant(f.rp, tokens.refresh_token as string),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a wrong client secret and a code carried to another app", async () => {
    const jar = await signIn(f);
    const { landed, verifier } = await authorize(f, jar);
    const code = new URL(landed).searchParams.get("code") as string;
    const body = {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    const badSecret = await tokenRequest(
      f,
      body,
      `Basic ${Buffer.from(`${f.fixture.appId}:has_wrong`).toString("base64")}`,
    );
    expect(badSecret.status).toBe(401);
    expect(((await badSecret.json()) as { error: string }).error).toBe("invalid_client");
    // The stored hash itself is not the secret.
    const row = await f.t.database.read
      .selectFrom("apps")
      .select("secret_hash")
      .where("id", "=", f.fixture.appId)
      .executeTakeFirstOrThrow();
    const byHash = await tokenRequest(
      f,
      body,
      `Basic ${Buffer.from(`${f.fixture.appId}:${row.secret_hash}`).toString("base64")}`,
    );
    expect(byHash.status).toBe(401);

    const other = await domainsOf(f.t.app).apps.create({
      name: "Other",
      baseUrl: "https://other.example",
      redirectUris: [REDIRECT],
    });
    const otherSecret = await domainsOf(f.t.app).apps.rotateSecret(other.id);
    const carried = await tokenRequest(
      f,
      body,
      `Basic ${Buffer.from(`${other.id}:${otherSecret}`).toString("base64")}`,
    );
    expect(carried.status).toBe(400);
    expect(((await carried.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("does not let a session for one app sign the person in to another", async () => {
    const other = await domainsOf(f.t.app).apps.create({
      name: "Other",
      baseUrl: "https://other.example",
      redirectUris: [REDIRECT],
    });
    const otherRp = await relyingParty(
      f.base,
      other.id,
      await domainsOf(f.t.app).apps.rotateSecret(other.id),
    );
    const jar = await signIn(f);
    const { response } = await authorize(f, jar, {}, otherRp);
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("Open this app from your partner");
    const silent = await authorize(f, jar, { prompt: "none" }, otherRp);
    expect(redirectParams(silent.landed).get("error")).toBe("login_required");
  });

  it("stops single sign-on when the Handoff session ends, expires or its partner is suspended", async () => {
    // Ended by logout at Handoff: the provider's own session cookie is not enough.
    const first = await tokensFor(f);
    const logout = await first.jar.fetch(`${f.base}/logout`, { method: "POST" });
    expect(logout.status).toBe(200);
    const afterLogout = await authorize(f, first.jar, { prompt: "none" });
    expect(redirectParams(afterLogout.landed).get("error")).toBe("login_required");
    await expect(
      client.refreshTokenGrant(f.rp, first.tokens.refresh_token as string),
    ).rejects.toMatchObject({ error: "invalid_grant" });

    // Expired: past the app's idle limit (30 minutes).
    const second = await tokensFor(f);
    f.t.clock.advance(31 * 60 * 1000);
    const afterIdle = await authorize(f, second.jar);
    expect(afterIdle.response.status).toBe(401);
    f.t.clock.set(Date.now());

    // Suspended partner: refresh and userinfo refused at once.
    const third = await tokensFor(f);
    await domainsOf(f.t.app).partners.setStatus(f.fixture.partnerId, "suspended");
    await expect(
      client.refreshTokenGrant(f.rp, third.tokens.refresh_token as string),
    ).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(
      client.fetchUserInfo(f.rp, third.tokens.access_token, client.skipSubjectCheck),
    ).rejects.toBeInstanceOf(client.WWWAuthenticateChallengeError);
  });

  it("signs in the person of the newest login link, not the one before", async () => {
    const first = await tokensFor(f);
    const firstSub = first.tokens.claims()?.sub;
    const jar = await signIn(f, first.jar, { id: "user-8", email: "grace@example.com" });
    const { landed, verifier, state } = await authorize(f, jar);
    const tokens = await client.authorizationCodeGrant(f.rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.sub).not.toBe(firstSub);
    expect(tokens.claims()?.email).toBe("grace@example.com");
    // Signing the previous person out of the provider left the new Handoff session alone.
    const verified = await jar.fetch(`${f.base}/v1/session/verify`);
    expect(verified.status).toBe(200);
  });

  it("keeps users of two partners apart: sub differs for the same external id", async () => {
    const first = await tokensFor(f);
    const otherPartner = await ssoFixture(f.t.app, { baseUrl: RP }, "Other Partner");
    await domainsOf(f.t.app).apps.update(otherPartner.appId, { redirectUris: [REDIRECT] });
    const otherRp = await relyingParty(f.base, otherPartner.appId, otherPartner.appSecret);
    const jar = await signIn(f, new CookieJar(), undefined, otherPartner);
    const { landed, verifier, state } = await authorize(f, jar, {}, otherRp);
    const tokens = await client.authorizationCodeGrant(otherRp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.partner).toBe(otherPartner.partnerId);
    expect(tokens.claims()?.sub).not.toBe(first.tokens.claims()?.sub);
  });

  it("refuses a tampered ID token, as the app's check and as a logout hint", async () => {
    const { tokens, jar } = await tokensFor(f);
    const idToken = tokens.id_token as string;
    const [header, payload, signature] = idToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "usr_someone_else" })).toString("base64url")}.${signature}`;
    const jwks = createRemoteJWKSet(new URL(`${f.base}/oidc/jwks`));
    await expect(jwtVerify(idToken, jwks, { issuer: `${f.base}/oidc` })).resolves.toBeTruthy();
    await expect(jwtVerify(forged, jwks, { issuer: `${f.base}/oidc` })).rejects.toThrow();
    const end = new URL(`${f.base}/oidc/session/end`);
    end.searchParams.set("id_token_hint", forged);
    end.searchParams.set("post_logout_redirect_uri", `${RP}/signed-out`);
    const response = await jar.fetch(end.href);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
  });

  it("writes every URL from the base URL, whatever Host the client sends", async () => {
    const response = await fetch(`${f.base}/oidc/.well-known/openid-configuration`, {
      headers: { host: "evil.example", "x-forwarded-host": "evil.example" },
    });
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(`${f.base}/oidc`);
    expect(discovery.authorization_endpoint).toBe(`${f.base}/oidc/auth`);
    expect(discovery.token_endpoint).toBe(`${f.base}/oidc/token`);
    expect(discovery.code_challenge_methods_supported).toEqual(["S256"]);
    expect(discovery.id_token_signing_alg_values_supported).toContain("RS256");
    expect(JSON.stringify(discovery)).not.toContain("evil.example");
  });
});

describe.each(dialects)("OIDC grants, tokens and keys (%s)", (dialect) => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture(dialect);
  });
  afterEach(async () => f.t.app.close());

  it("offers the code flow only: no implicit, password or client-credentials grant", async () => {
    const jar = await signIn(f);
    for (const responseType of ["token", "id_token", "code id_token", "none"]) {
      const response = await jar.fetch(
        authUrl(f, {
          client_id: f.fixture.appId,
          redirect_uri: REDIRECT,
          response_type: responseType,
          scope: "openid",
          nonce: "n",
          ...PKCE,
        }),
      );
      expect(response.status).toBe(303);
      const location = response.headers.get("location") as string;
      expect(location.startsWith(REDIRECT)).toBe(true);
      expect(location).toContain("error=unsupported_response_type");
      expect(location).not.toMatch(/access_token=|id_token=/);
    }
    for (const grant of ["password", "client_credentials", "implicit"]) {
      const response = await tokenRequest(f, {
        grant_type: grant,
        username: "ada",
        password: "x",
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /unsupported_grant_type|unauthorized_client/,
      );
    }
  });

  it("never takes one kind of token for another", async () => {
    const { tokens, jar } = await tokensFor(f);
    // An ID token (RS256) or an OIDC access token is not a partner access token.
    for (const bearer of [tokens.id_token as string, tokens.access_token]) {
      const response = await fetch(`${f.base}/v1/partner`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(response.status).toBe(401);
    }
    // A partner access token (EdDSA, aud handoff:partner-api) is not an ID token hint.
    const exchange = await fetch(`${f.base}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        partner_token: f.fixture.partnerToken,
        api_token: f.fixture.apiToken,
      }),
    });
    const partnerToken = ((await exchange.json()) as { access_token: string }).access_token;
    const end = new URL(`${f.base}/oidc/session/end`);
    end.searchParams.set("id_token_hint", partnerToken);
    const hinted = await jar.fetch(end.href);
    expect(hinted.status).toBe(400);
  });

  it("signs ID tokens with the new key after `keys rotate`; the old one still verifies", async () => {
    const kidOf = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split(".")[0] as string, "base64url").toString()).kid as string;
    const before = await tokensFor(f);
    const oldKid = kidOf(before.tokens.id_token as string);
    expect(
      JSON.parse(
        Buffer.from(
          (before.tokens.id_token as string).split(".")[0] as string,
          "base64url",
        ).toString(),
      ).alg,
    ).toBe("RS256");
    await domainsOf(f.t.app).keys.rotate();
    f.t.clock.advance(PUBLISH_LEAD_MS);
    const after = await tokensFor(f);
    const newKid = kidOf(after.tokens.id_token as string);
    expect(newKid).not.toBe(oldKid);
    const jwks = createRemoteJWKSet(new URL(`${f.base}/oidc/jwks`));
    for (const token of [before.tokens.id_token, after.tokens.id_token]) {
      await expect(
        jwtVerify(token as string, jwks, { issuer: `${f.base}/oidc`, audience: f.fixture.appId }),
      ).resolves.toBeTruthy();
    }
    const published = (await (await fetch(`${f.base}/oidc/jwks`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(published.keys.every((k) => k.d === undefined && k.p === undefined)).toBe(true);
  });

  it("answers 503, never hangs, when the provider cannot be built", async () => {
    domainsOf(f.t.app).keys.generation += 1; // forces a rebuild on the next request
    const spy = vi.spyOn(domainsOf(f.t.app).keys, "ensure").mockRejectedValue(new Error("db away"));
    try {
      const response = await fetch(`${f.base}/oidc/.well-known/openid-configuration`);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      expect(await response.text()).not.toContain("db away");
    } finally {
      spy.mockRestore();
    }
  });
});

describe.each(dialects)("OIDC races, re-authentication and logout (%s)", (dialect) => {
  let f: OidcFixture;
  beforeEach(async () => {
    // The races' losers are failed credential attempts; the spraying limit is tested elsewhere.
    f = await oidcFixture(dialect, { authFailuresPerMinute: 10_000 });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await f.t.app.close();
  });

  // Single use under a race means at most one winner: a loser's reuse detection revokes the
  // grant (RFC 6749 4.1.2, RFC 9700 4.14), and on PostgreSQL that can land before the winner has
  // finished, so the winner may be refused too. Never two, and the code or token is spent.
  it("lets at most one of 20 concurrent exchanges of a code win, and at most one of 20 refreshes", async () => {
    const jar = await signIn(f);
    const { landed, verifier } = await authorize(f, jar);
    const code = new URL(landed).searchParams.get("code") as string;
    const exchange = () =>
      tokenRequest(f, {
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
    const exchanges = await Promise.all(Array.from({ length: 20 }, exchange));
    expect(exchanges.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(exchanges.filter((r) => r.status === 400).length).toBeGreaterThanOrEqual(19);
    expect((await exchange()).status).toBe(400);

    const { tokens } = await tokensFor(f, jar);
    const refresh = () =>
      tokenRequest(f, {
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token as string,
      });
    const refreshes = await Promise.all(Array.from({ length: 20 }, refresh));
    expect(refreshes.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const r of refreshes.filter((r) => r.status !== 200)) {
      expect(((await r.json()) as { error: string }).error).toBe("invalid_grant");
    }
    const again = await refresh();
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("answers prompt=login and a too-old sign-in for max_age with login_required", async () => {
    const jar = await signIn(f);
    const again = await authorize(f, jar, { prompt: "login" });
    expect(redirectParams(again.landed).get("error")).toBe("login_required");
    f.t.clock.advance(120_000);
    const old = await authorize(f, jar, { max_age: "60" });
    expect(redirectParams(old.landed).get("error")).toBe("login_required");
    const fresh = await authorize(f, jar, { max_age: "3600" });
    expect(redirectParams(fresh.landed).get("code")).toEqual(expect.any(String));
  });

  it("signs the same person in again after a second login link", async () => {
    const first = await tokensFor(f);
    const second = await tokensFor(f, first.jar);
    expect(second.tokens.claims()?.sub).toBe(first.tokens.claims()?.sub);
  });

  it("never ends the Handoff session for a logout another site started", async () => {
    const { jar } = await tokensFor(f);
    // No hint: a page that waits for the person's click, no script.
    const page = await jar.fetch(`${f.base}/oidc/session/end`, {
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).not.toContain("<script>");
    expect(text).toContain("Sign out?");
    expect((await jar.fetch(`${f.base}/v1/session/verify`)).status).toBe(200);

    // A browser with a Handoff session and no provider session: oidc-provider's own page posts
    // itself; the Handoff session survives it.
    const fresh = await signIn(f);
    const bare = await fresh.fetch(`${f.base}/oidc/session/end`, {
      headers: { "sec-fetch-site": "cross-site" },
    });
    const posted = await submit(fresh, await bare.text(), f.base);
    expect(posted.status).toBe(303);
    expect((await fresh.fetch(`${f.base}/v1/session/verify`)).status).toBe(200);
  });

  it("answers 503, never hangs, when the login step fails after it has begun", async () => {
    const jar = await signIn(f);
    vi.spyOn(Provider.prototype, "interactionFinished").mockRejectedValue(new Error("db away"));
    const { response } = await authorize(f, jar);
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain("db away");
  });

  it("carries Handoff's security headers on the provider's answers", async () => {
    const response = await fetch(`${f.base}/oidc/.well-known/openid-configuration`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-request-id")).toEqual(expect.any(String));
  });
});

describe("OIDC behind a proxy that strips a path", () => {
  it("writes the base URL's path into every endpoint", async () => {
    const t = await testApp("sqlite", { baseUrl: "https://sso.example/handoff" });
    try {
      const response = await t.app.inject({ url: "/oidc/.well-known/openid-configuration" });
      expect(response.statusCode).toBe(200);
      const discovery = response.json<Record<string, string>>();
      expect(discovery.issuer).toBe("https://sso.example/handoff/oidc");
      expect(discovery.authorization_endpoint).toBe("https://sso.example/handoff/oidc/auth");
      expect(discovery.jwks_uri).toBe("https://sso.example/handoff/oidc/jwks");
      expect(response.headers["strict-transport-security"]).toEqual(expect.any(String));
    } finally {
      await t.app.close();
    }
  });
});
