// Seed 002 (Xoxoday): the SSO redirection API's request as the page describes it, the 14-day
// token, the redirect URL as a scanner-safe login link, and the tpd reaching the app.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseSecret } from "../../src/crypto/secrets.js";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  makePartner,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { redeem, sessionCookie } from "../helpers/sso.js";

const DAY = 24 * 3600 * 1000;

describe.each(dialects)("seed 002 (Xoxoday) on %s", (dialect) => {
  let t: TestApp;
  let token: string;
  let partnerId: string;
  let appId: string;
  let appSecret: string;

  beforeEach(async () => {
    t = await testApp(dialect);
    const partner = await makePartner(t.app);
    partnerId = partner.partnerId;
    token = await accessTokenFor(t.app, partner);
    const store = await domainsOf(t.app).apps.create({
      name: "StoreFront",
      baseUrl: "https://store.example",
      products: ["storefront"],
      ticketTtlMax: 14 * 24 * 3600,
    });
    appId = store.id;
    appSecret = await domainsOf(t.app).apps.rotateSecret(store.id);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const sso = (body: unknown, auth = `Bearer ${token}`) =>
    t.app.inject({
      method: "POST",
      url: "/chef/v1/oauth/sso/stores/company",
      headers: { "content-type": "application/json", authorization: auth },
      payload: JSON.stringify(body),
    });

  const pageExample = {
    user_input: "ada@example.com",
    tpd: {
      auth_token: "partner-auth-token-123",
      unique_id: "EMP-0042",
      email: {
        default_value: "ada@example.com",
        editable: false,
        hidden: false,
        support_alternate: true,
      },
      phone: { default_value: "9800000000", phone_code: "+91", editable: true, hidden: false },
      otp: "none",
      cost_centre: "CC-7",
    },
  };

  it("answers {data:{ssoToken}} valid 14 days; the redirect URL logs the user in to the storefront", async () => {
    const response = await sso(pageExample);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body)).toEqual(["data"]);
    expect(Object.keys(body.data)).toEqual(["ssoToken"]);
    const ssoToken: string = body.data.ssoToken;
    const id = parseSecret("hts", ssoToken)?.id as string;
    const status = await domainsOf(t.app).tickets.status(partnerId, id);
    expect(Date.parse(status.expires_at) - t.clock.now()).toBe(14 * DAY);

    // A scanner's GET of the redirect URL shows the page and leaves the token unused.
    const page = await t.app.inject({
      method: "GET",
      url: `/chef/v1/oauth/redirect/stores/${ssoToken}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/login/${ssoToken}"`);
    expect((await domainsOf(t.app).tickets.status(partnerId, id)).status).toBe("issued");

    const landed = await redeem(t.app, ssoToken);
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("https://store.example/");
    const cookie = sessionCookie(landed);
    const seen = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: appId, client_secret: appSecret },
    });
    expect(seen.json()).toMatchObject({
      active: true,
      username: "ada@example.com",
      user: {
        email: "ada@example.com",
        phone: { number: "9800000000", country_code: "+91" },
      },
      fields: {
        email: { editable: false, hidden: false, support_alternate: true },
        phone: { editable: true, hidden: false },
      },
      otp: null,
      context: { unique_id: "EMP-0042" },
      partner_data: { cost_centre: "CC-7" },
    });
    expect(seen.body).not.toContain("partner-auth-token-123");
    await domainsOf(t.app).apps.update(appId, { seesAuthToken: true });
    const allowed = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: appId, client_secret: appSecret },
    });
    expect(allowed.json().partner_data.auth_token).toBe("partner-auth-token-123");
  });

  it("validates an access token as the vendor's token check does", async () => {
    const ok = await t.app.inject({
      method: "GET",
      url: "/chef/v1/oauth/token",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      access_token: token,
      token_type: "bearer",
      expires_in: 86400,
      access_token_expiry: t.clock.now() + 86_400_000,
    });
    const bad = await t.app.inject({
      method: "GET",
      url: "/chef/v1/oauth/token",
      headers: { authorization: "Bearer nope" },
    });
    expect(bad.statusCode).toBe(401);
  });

  it("creates the account from user_input once and fetches it after (email compared canonically)", async () => {
    const first = await sso({ user_input: "Grace@Example.com" });
    const second = await sso({ user_input: "grace@example.com", tpd: { unique_id: "G-1" } });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    const users = await t.database.read.selectFrom("users").selectAll().execute();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ external_id: "grace@example.com", partner_id: partnerId });
  });

  it("bounds the validity by the storefront app's maximum", async () => {
    await domainsOf(t.app).apps.update(appId, { ticketTtlMax: 3600, ticketTtlDefault: 300 });
    const ssoToken = (await sso({ user_input: "ada@example.com" })).json().data.ssoToken;
    const status = await domainsOf(t.app).tickets.status(
      partnerId,
      parseSecret("hts", ssoToken)?.id as string,
    );
    expect(Date.parse(status.expires_at) - t.clock.now()).toBe(3600_000);
  });

  it("refuses bad input with a clear 4xx and creates nothing", async () => {
    const cases: [unknown, number, string][] = [
      [{}, 400, "user_input"],
      [{ user_input: "not-an-email" }, 400, "email"],
      [{ user_input: "ada@example.com", tpd: { otp: "sms" } }, 400, "otp"],
      [
        { user_input: "ada@example.com", tpd: { phone: { default_value: "98-00" } } },
        400,
        "default_value",
      ],
      [{ user_input: "ada@example.com", tpd: { email: { editable: "no" } } }, 400, "editable"],
      [{ user_input: "ada@example.com", extra: 1 }, 400, "extra"],
    ];
    for (const [body, status, hint] of cases) {
      const response = await sso(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.body.toLowerCase()).toContain(hint);
    }
    expect((await sso(pageExample, "Bearer nope")).statusCode).toBe(401);
    expect((await sso(pageExample, "")).statusCode).toBe(401);
    await domainsOf(t.app).apps.update(appId, { products: [] });
    const noApp = await sso(pageExample);
    expect(noApp.statusCode).toBe(400);
    expect(noApp.json().code).toBe("unknown_app");
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toEqual([]);
    expect(await t.database.read.selectFrom("users").select("id").execute()).toEqual([]);
  });

  it("refuses at mint an OTP mode the platform cannot deliver, and creates nothing", async () => {
    // No mail server in this app (test/otp/ has the step with one).
    const refused = await sso({ user_input: "ada@example.com", tpd: { otp: "primary_email" } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: "invalid_request" });
    expect(refused.json().detail).toContain("HANDOFF_SMTP_URL");
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toEqual([]);
    expect(await t.database.read.selectFrom("users").select("id").execute()).toEqual([]);
  });
});
