// The demo's OIDC client (demo-credentials.json `oidc_client`) carries a script through the whole
// journey: its login link, Handoff's /oidc/auth, the code exchange with its secret.
import * as client from "openid-client";
import { afterEach, describe, expect, it } from "vitest";
import { ensureDemo } from "../../src/demo/demo.js";
import { domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { CookieJar } from "../helpers/jar.js";
import { freePort } from "../helpers/net.js";

describe("the demo's OIDC client", () => {
  let t: TestApp;
  afterEach(async () => t.app.close());

  it("signs the demo user in to the storefront app with the printed credentials", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // STOREFRONT_PORT=3001 (read into demoStorefrontUrl): the printed link lands there.
    const storefront = "http://127.0.0.1:3001";
    t = await testApp("sqlite", {
      demo: undefined,
      baseUrl: base,
      port,
      demoStorefrontUrl: storefront,
    });
    t.clock.set(Date.now());
    await t.app.listen({ port, host: "127.0.0.1" });
    const demo = await ensureDemo(domainsOf(t.app));
    if (!demo) throw new Error("no demo");
    const { oidc_client: oc } = demo;
    expect(oc).toMatchObject({
      client_id: oc.app,
      client_secret: expect.stringMatching(/^has_/),
      redirect_uri: `${storefront}/callback`,
      issuer: `${base}/oidc`,
    });

    const jar = new CookieJar();
    const ticket = oc.login_link.split("/login/")[1];
    const landed = await jar.fetch(`${base}/login/${ticket}`, { method: "POST" });
    expect(landed.headers.get("location")).toBe(`${storefront}/`);

    const rp = await client.discovery(
      new URL(oc.issuer),
      oc.client_id,
      undefined,
      client.ClientSecretBasic(oc.client_secret),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: oc.redirect_uri,
      scope: "openid profile email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "demo",
    });
    const { url: callback } = await jar.follow(url.href, base);
    expect(callback.startsWith(`${oc.redirect_uri}?`)).toBe(true);
    const tokens = await client.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: "demo",
    });
    expect(tokens.claims()).toMatchObject({
      name: "Ada Lovelace",
      email: "ada@demo.example",
      partner: demo.partner.id,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });
});
