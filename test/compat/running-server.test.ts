// Every seed's example request against a running server (real sockets, the demo data), each
// returned link followed the way a browser does: GET the page, POST its form, follow the 303
// with the cookie, and see the demo app greet the user.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { type DemoCredentials, ensureDemo } from "../../src/demo/demo.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";

/** What a browser does with a login link; returns the page it ends on. */
async function follow(link: string): Promise<{ url: string; status: number; body: string }> {
  const page = await fetch(link);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form id="continue" method="post" action="([^"]+)">/.exec(html)?.[1];
  if (!action) throw new Error(`no form on ${link}: ${html.slice(0, 200)}`);
  const origin = new URL(link).origin;
  const posted = await fetch(new URL(action.replaceAll("&amp;", "&"), origin), {
    method: "POST",
    redirect: "manual",
    headers: {
      origin,
      "sec-fetch-site": "same-origin",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "",
  });
  expect(posted.status).toBe(303);
  const cookie = (posted.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const location = posted.headers.get("location") ?? "";
  const landed = await fetch(location, { headers: { cookie } });
  return { url: location, status: landed.status, body: await landed.text() };
}

describe("the seeds' own examples against a running server", () => {
  let app: FastifyInstance;
  let base: string;
  let demo: DemoCredentials;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port, demo: true }));
    demo = (await ensureDemo(domainsOf(app))) as DemoCredentials;
    await app.listen({ port, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function accessToken(): Promise<string> {
    // Seed 001's exchange, as its page shows it.
    const response = await fetch(`${base}/v1/autho/apitoken/login/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        api_token: demo.partner.api_token,
        partner_token: demo.partner.partner_token,
      }),
    });
    const body = (await response.json()) as { data: { token: string } };
    expect(body).toMatchObject({
      data: { message: "Success" },
      meta: {},
      result: "00",
      status: "OK",
    });
    return body.data.token;
  }

  it("seed 000 (Enkash): password grant, then the SSO call, then the employee view", async () => {
    const grant = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${demo.partner.id}:${demo.partner.partner_token}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "password",
        username: demo.partner_user.username,
        password: demo.partner_user.password,
        clientId: demo.partner.id,
      }),
    });
    const { access_token } = (await grant.json()) as { access_token: string };
    const response = await fetch(`${base}/api/v0/partner/enKashCard/sso-token`, {
      method: "POST",
      headers: {
        partnerId: demo.partner.id,
        Authorization: `Bearer ${access_token}`,
        Cookie: "JSESSIONID=BC1A71C9BC65576B3AB0E78896971B9E",
        "Content-Type": "application/json",
      },
      body:
        '{\n    "cardAccountId": "CAQL8YCV3",\n    "companyId" : "' +
        demo.partner.id +
        '",\n    "enkashCardId" : "EKCDM5AVZY"\n}',
    });
    const body = (await response.json()) as {
      response_code: number;
      payload: { redirectUrl: string };
    };
    expect(body.response_code).toBe(0);
    const landed = await follow(body.payload.redirectUrl);
    expect(landed.url).toBe(`${demo.app.url}/employee_rewards`);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain("Hello, CAQL8YCV3");
  });

  it("seed 001 and 002 (Xoxoday): the SSO redirection API, then its redirect URL", async () => {
    const token = await accessToken();
    const response = await fetch(`${base}/chef/v1/oauth/sso/stores/company`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        user_input: "ada@example.com",
        tpd: {
          auth_token: "partner-token-for-callbacks",
          unique_id: "EMP-1",
          email: {
            default_value: "ada@example.com",
            editable: false,
            hidden: false,
            support_alternate: false,
          },
          phone: { default_value: "9800000000", phone_code: "+91", editable: true, hidden: false },
          otp: "none",
        },
      }),
    });
    const { data } = (await response.json()) as { data: { ssoToken: string } };
    const landed = await follow(`${base}/chef/v1/oauth/redirect/stores/${data.ssoToken}`);
    expect(landed.status).toBe(200);
    expect(landed.body).toContain("Hello, ada@example.com");
  });

  it("seed 003 (Banckle): the one URL call, then its loginUrl", async () => {
    const query = new URLSearchParams({
      email: "grace@partner.example",
      password: "whatever-the-partner-sends",
      ssokey: demo.partner.sso_key,
      product: "accounts",
    });
    const body = (await (await fetch(`${base}/api/authenticate?${query}`)).json()) as {
      return: { loginUrl: string };
    };
    expect(body).toMatchObject({ status_code: 200, stat: "ok" });
    const landed = await follow(body.return.loginUrl);
    expect(landed.body).toContain("Hello, grace@partner.example");
  });

  it("seed 004 (BlueSnap): create the user, the page's token request, then its loginLink", async () => {
    const auth = `Basic ${Buffer.from(`${demo.partner.id}:${demo.partner.api_token}`).toString("base64")}`;
    const created = await fetch(`${base}/services/2/cp/user`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: auth,
      },
      body: JSON.stringify({
        firstName: "Alan",
        lastName: "Turing",
        email: "alan@merchant.example",
        username: "alan",
      }),
    });
    expect(created.status).toBe(201);
    const { userId } = (await created.json()) as { userId: string };
    const response = await fetch(`${base}/services/2/generateSSOLoginToken/${userId}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: auth,
      },
      // The page's body, with the requesting user's address (this client's) in place of its example.
      body: '{\n"requestingUserIp": " 127.0.0.1"\n}',
    });
    const body = (await response.json()) as { loginLink: string };
    expect(Object.keys(body).sort()).toEqual(["loginLink", "loginToken"]);
    const landed = await follow(body.loginLink);
    expect(landed.body).toContain("Hello, Alan Turing");
  });
});
