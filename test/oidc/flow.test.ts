// The whole OpenID Connect journey with openid-client as the relying party: a login link, its
// redemption, the code flow with PKCE through /oidc/auth, the ID token checked against the
// JWKS, userinfo, refresh, a replayed code refused, and RP-initiated logout.
import { readFileSync } from "node:fs";
import { decodeProtectedHeader, importJWK, type JWK } from "jose";
import * as client from "openid-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dialects, domainsOf, pruneNow } from "../helpers/app.js";
import { CookieJar } from "../helpers/jar.js";
import {
  authorize,
  type OidcFixture,
  oidcFixture,
  REDIRECT,
  RP,
  signIn,
  submit,
  tokensFor,
} from "../helpers/oidc.js";
import { mint } from "../helpers/sso.js";

describe.each(dialects)("OIDC code flow (%s)", (dialect) => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture(dialect);
  });
  afterEach(async () => f.t.app.close());

  it("logs the person in to the app with a standard client, and out again", async () => {
    const jar = await signIn(f);
    const { landed, verifier, state } = await authorize(f, jar);
    expect(landed.startsWith(`${REDIRECT}?`)).toBe(true);

    const tokens = await client.authorizationCodeGrant(f.rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: `${f.base}/oidc`,
      aud: f.fixture.appId,
      sub: expect.stringMatching(/^usr_/),
      email: "ada@example.com",
      phone_number: "+15550100",
      name: "Ada Lovelace",
      partner: f.fixture.partnerId,
      fields: { email: { editable: false, hidden: false, support_alternate: true } },
      partner_data: { tier: "gold" },
      amr: ["link"],
    });
    expect(typeof claims?.auth_time).toBe("number");
    // A claim the user does not have is left out, never null (mod_auth_openidc warns on null).
    expect(claims).not.toHaveProperty("sub_account");
    expect(Object.entries(claims ?? {}).filter(([, value]) => value === null)).toEqual([]);
    expect(JSON.stringify(tokens)).not.toContain("partner-secret-token");

    const info = await client.fetchUserInfo(f.rp, tokens.access_token, claims?.sub as string);
    expect(info).toMatchObject({
      sub: claims?.sub,
      email: "ada@example.com",
      partner: f.fixture.partnerId,
    });
    expect(JSON.stringify(info)).not.toContain("partner-secret-token");
    expect(info).not.toHaveProperty("sub_account");
    expect(Object.entries(info).filter(([, value]) => value === null)).toEqual([]);

    const refreshed = await client.refreshTokenGrant(f.rp, tokens.refresh_token as string);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()?.sub).toBe(claims?.sub);

    // RP-initiated logout: the page continues by itself; the Handoff session ends with it.
    const end = client.buildEndSessionUrl(f.rp, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: `${RP}/signed-out`,
      state: "bye",
    });
    const page = await jar.fetch(end.href);
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('name="logout" value="yes"');
    expect(form).toContain("<script>"); // a proven hint: the page continues by itself
    const confirmed = await submit(jar, form, f.base);
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("location")).toBe(`${RP}/signed-out?state=bye`);
    expect(jar.get("handoff_session")).toBeUndefined();
    const ended = await f.t.database.read
      .selectFrom("sessions")
      .select(["ended_at", "end_reason"])
      .execute();
    expect(ended).toEqual([{ ended_at: expect.any(Number), end_reason: "oidc_logout" }]);
    const again = await authorize(f, jar);
    expect(again.response.status).toBe(401);
    expect(await again.response.text()).toContain("Open this app from your partner");
  });

  it("accepts the client authentication methods discovery and docs/oidc.md name, and only those", async () => {
    const discovery = (await (
      await fetch(`${f.base}/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, string[]>;
    const doc = readFileSync(new URL("../../docs/oidc.md", import.meta.url), "utf8");
    const documented = [
      ...new Set([...doc.matchAll(/`(client_secret_[a-z]+)`/g)].map((m) => m[1])),
    ];
    expect(discovery.token_endpoint_auth_methods_supported?.sort()).toEqual(documented.sort());
    // The secret in the form body (client_secret_post) works as well as HTTP Basic does.
    const rp = await client.discovery(
      new URL(`${f.base}/oidc`),
      f.fixture.appId,
      undefined,
      client.ClientSecretPost(f.fixture.appSecret),
      { execute: [client.allowInsecureRequests] },
    );
    const jar = await signIn(f);
    const { landed, verifier, state } = await authorize(f, jar, {}, rp);
    const tokens = await client.authorizationCodeGrant(rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.aud).toBe(f.fixture.appId);
  });

  it("lets a client revoke its own tokens only, without oidc-provider's notice", async () => {
    const { tokens } = await tokensFor(f);
    const other = await domainsOf(f.t.app).apps.create({
      name: "Other",
      baseUrl: "https://other.example",
      redirectUris: ["https://other.example/cb"],
    });
    const otherSecret = await domainsOf(f.t.app).apps.rotateSecret(other.id);
    const revoke = (id: string, secret: string) =>
      fetch(`${f.base}/oidc/token/revocation`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ token: tokens.access_token }).toString(),
      });
    const printed = vi.spyOn(console, "warn");
    const info = vi.spyOn(console, "info");
    try {
      const refused = await revoke(other.id, otherSecret);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: "invalid_request" });
      expect(
        (await client.fetchUserInfo(f.rp, tokens.access_token, client.skipSubjectCheck)).sub,
      ).toEqual(expect.any(String));
      const own = await revoke(f.fixture.appId, f.fixture.appSecret);
      expect(own.status).toBe(200);
      await expect(
        client.fetchUserInfo(f.rp, tokens.access_token, client.skipSubjectCheck),
      ).rejects.toThrow();
      const said = [...printed.mock.calls, ...info.mock.calls].flat().map(String).join("\n");
      expect(said).not.toContain("allowedPolicy");
    } finally {
      printed.mockRestore();
      info.mockRestore();
    }
  });

  it("names the sub-account a partner acted for in the ID token and userinfo", async () => {
    const { partner: sub } = await domainsOf(f.t.app).partners.create({ name: "Sub" });
    await domainsOf(f.t.app).partners.link(f.fixture.partnerId, sub.id);
    const jar = new CookieJar();
    const minted = await mint(f.t.app, f.fixture, { user: { id: "u-9" }, on_behalf_of: sub.id });
    expect((await jar.fetch(`${f.base}/login/${minted.ticket}`, { method: "POST" })).status).toBe(
      303,
    );
    const { landed, verifier, state } = await authorize(f, jar);
    const tokens = await client.authorizationCodeGrant(f.rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({ partner: f.fixture.partnerId, sub_account: sub.id });
    expect(tokens.claims()).not.toHaveProperty("email");
    const info = await client.fetchUserInfo(f.rp, tokens.access_token, client.skipSubjectCheck);
    expect(info).toMatchObject({ sub_account: sub.id });
  });

  it("publishes only the ID token keys at jwks_uri, each usable by a strict consumer", async () => {
    // Two keys of each algorithm (one retiring): the partner API's Ed25519 keys must not be there.
    await tokensFor(f);
    await domainsOf(f.t.app).keys.rotate();
    const discovery = (await (
      await fetch(`${f.base}/oidc/.well-known/openid-configuration`)
    ).json()) as { jwks_uri: string; id_token_signing_alg_values_supported: string[] };
    expect(discovery.id_token_signing_alg_values_supported).toEqual(["RS256"]);
    const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: JWK[] };
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      // What python-jose or cjose do: take the set as keys of the one algorithm ID tokens use.
      expect(key).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256", kid: expect.any(String) });
      await expect(importJWK(key, "RS256")).resolves.toBeTruthy();
    }
    // The access-token keys stay where partners read them.
    const partnerKeys = (await (await fetch(`${f.base}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    expect(partnerKeys.keys.filter((k) => k.kty === "OKP")).toHaveLength(2);
    const { tokens } = await tokensFor(f);
    const header = decodeProtectedHeader(tokens.id_token as string);
    expect(keys.map((k) => k.kid)).toContain(header.kid);
  });

  it("prunes expired OIDC artefacts in the background, and nothing live", async () => {
    const { tokens } = await tokensFor(f);
    const count = async () =>
      (await f.t.database.read.selectFrom("oidc_models").select("model").execute()).length;
    expect(await count()).toBeGreaterThan(0);
    const options = { ticketRetentionDays: 7, auditRetentionDays: 30 };
    expect((await pruneNow(f.t.app, options)).oidc).toBe(0);
    await expect(
      client.fetchUserInfo(f.rp, tokens.access_token, client.skipSubjectCheck),
    ).resolves.toMatchObject({ email: "ada@example.com" });
    f.t.clock.advance(13 * 3600 * 1000);
    expect((await pruneNow(f.t.app, options)).oidc).toBeGreaterThan(0);
    expect(await count()).toBe(0);
    expect(await f.t.database.read.selectFrom("oidc_grant_sessions").selectAll().execute()).toEqual(
      [],
    );
  });
});
