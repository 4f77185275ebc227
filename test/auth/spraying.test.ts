// SECURITY row 6 (issues 15 and 26): garbage bearer tokens, wrong OIDC client secrets, guessed
// codes and garbage OIDC access tokens count as failed credential attempts of the client's
// address; past HANDOFF_AUTH_FAILURES_PER_MINUTE its failures get 429, while a valid credential
// is served from any address, the sprayer's included.
import { afterEach, describe, expect, it } from "vitest";
import { accessTokenFor, domainsOf, makePartner, type TestApp, testApp } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";
import { mint, redeem, sessionCookie, ssoFixture, verify } from "../helpers/sso.js";

describe("credential spraying", () => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  it("answers 429 to a client spraying bearer tokens, never to a live token", async () => {
    t = await testApp("sqlite", { authFailuresPerMinute: 3 });
    const partner = await makePartner(t.app);
    const token = await accessTokenFor(t.app, partner);
    const call = (bearer: string, remoteAddress: string) =>
      t.app.inject({
        method: "GET",
        url: "/v1/partner",
        headers: { authorization: `Bearer ${bearer}` },
        remoteAddress,
      });
    for (let i = 0; i < 3; i++)
      expect((await call(`garbage.${i}.x`, "10.0.0.9")).statusCode).toBe(401);
    const refused = await call("garbage.4.x", "10.0.0.9");
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // The right token is served from that address too (a NAT), and from any other.
    expect((await call(token, "10.0.0.9")).statusCode).toBe(200);
    expect((await call(token, "10.0.0.10")).statusCode).toBe(200);
  });

  it("counts and logs guessed secrets, codes and tokens at the OIDC endpoints, and serves the right ones", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    t = await testApp("sqlite", { baseUrl: base, port, authFailuresPerMinute: 4 });
    await t.app.listen({ port, host: "127.0.0.1" });
    const f = await ssoFixture(t.app, {
      baseUrl: "https://shop.example",
      redirectUris: ["https://shop.example/cb"],
    });
    const token = (body: Record<string, string>, secret: string) =>
      fetch(`${base}/oidc/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${f.appId}:${secret}`).toString("base64")}`,
        },
        body: new URLSearchParams(body).toString(),
      });
    const code = {
      grant_type: "authorization_code",
      code: "guess",
      redirect_uri: "https://shop.example/cb",
    };
    expect((await token(code, "wrong-secret")).status).toBe(401);
    expect((await token(code, f.appSecret)).status).toBe(400);
    const me = await fetch(`${base}/oidc/me`, { headers: { authorization: "Bearer garbage" } });
    expect(me.status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await token(code, `wrong-${i}`)).status).toBe(401);
    // Past the allowance the spray is logged; every credential here is a high-entropy secret
    // checked by one lookup, so none is refused in advance: the app's own secret still works.
    await expect
      .poll(() => t.logs.some((line) => line.includes("too many failed credential attempts")))
      .toBe(true);
    expect((await token(code, f.appSecret)).status).toBe(400);
    // Discovery is not a credential endpoint: still served.
    expect((await fetch(`${base}/oidc/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe("forged session cookies at forward-auth", () => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  it("counts a cookie with a wrong secret or a malformed one, not an ended session's", async () => {
    t = await testApp("sqlite", { authFailuresPerMinute: 2 });
    const f = await ssoFixture(t.app);
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const ended = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    await domainsOf(t.app).sessions.end(ended, "logout", null);
    for (let i = 0; i < 5; i++) expect((await verify(t.app, ended)).statusCode).toBe(401);
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
    const forged = `${cookie.slice(0, "hss_".length + 16)}${"A".repeat(43)}`;
    expect((await verify(t.app, forged)).statusCode).toBe(401);
    expect((await verify(t.app, "hss_garbage")).statusCode).toBe(401);
    const refused = await verify(t.app, `${forged.slice(0, -1)}B`);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    // Every request reaches forward-auth from the proxy's one address: a live cookie is still
    // served, so nobody can sign the app's users out by sending forged cookies.
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
  });
});
