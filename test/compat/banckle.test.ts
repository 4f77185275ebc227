// Seed 003 (Banckle): the one-call SSO with email, password, ssokey and product, as a URL call
// (GET query) and as a POST; the token logs the user in; the password goes nowhere.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, makePartner, type TestApp, testApp } from "../helpers/app.js";
import { redeem, sessionCookie, verify } from "../helpers/sso.js";

const PASSWORD = "correct-horse-battery-staple-42";

describe.each(dialects)("seed 003 (Banckle) on %s", (dialect) => {
  let t: TestApp;
  let partnerId: string;
  let ssokey: string;

  beforeEach(async () => {
    t = await testApp(dialect, { logLevel: "trace" });
    const partner = await makePartner(t.app, "Banckle Partner");
    partnerId = partner.partnerId;
    ssokey = await domainsOf(t.app).partners.rotateSsoKey(partnerId);
    await domainsOf(t.app).apps.create({
      name: "Accounts",
      baseUrl: "https://accounts.example",
      products: ["accounts"],
    });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  it("answers the page's JSON shape to a URL call, and the token logs the user in", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: `/api/authenticate?${query({ email: "ada@partner.example", password: PASSWORD, ssokey, product: "accounts" })}`,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      status_code: 200,
      stat: "ok",
      return: {
        loginId: "ada@partner.example",
        companyName: "Banckle Partner",
        isCreator: false,
        email: "ada@partner.example",
        userId: expect.stringMatching(/^usr_/),
        permissions: [],
        isCompanyAdmin: false,
        accountType: "ENTERPRISE",
        companyId: partnerId,
        displayName: "ada@partner.example",
        companyDomain: "partner.example",
        token: expect.stringMatching(/^hts_/),
      },
    });
    expect(body.return.loginUrl).toBe(`${t.config.baseUrl}/login/${body.return.token}`);
    const landed = await redeem(t.app, body.return.token);
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("https://accounts.example/");
    const verified = await verify(t.app, sessionCookie(landed));
    expect(verified.headers["x-handoff-email"]).toBe("ada@partner.example");
  });

  it("accepts the same call as a POST form or JSON, and creates the user once", async () => {
    const fields = {
      email: "Bob@Partner.example",
      password: PASSWORD,
      ssokey,
      product: "accounts",
    };
    const form = await t.app.inject({
      method: "POST",
      url: "/api/authenticate",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: query(fields),
    });
    const json = await t.app.inject({
      method: "POST",
      url: "/api/authenticate",
      payload: { ...fields, email: "bob@partner.example" },
    });
    expect(form.statusCode).toBe(200);
    expect(json.statusCode).toBe(200);
    expect(form.json().return.userId).toBe(json.json().return.userId);
  });

  it("never stores or logs the password", async () => {
    await t.app.inject({
      method: "GET",
      url: `/api/authenticate?${query({ email: "ada@partner.example", password: PASSWORD, ssokey, product: "accounts" })}`,
    });
    await t.app.inject({
      method: "POST",
      url: "/api/authenticate",
      payload: { email: "ada@partner.example", password: PASSWORD, ssokey, product: "accounts" },
    });
    let dump = "";
    for (const table of ["users", "tickets", "audit_log", "partners", "sso_keys"] as const) {
      dump += JSON.stringify(
        (await sql`select * from ${sql.table(table)}`.execute(t.database.read)).rows,
      );
    }
    expect(dump).not.toContain(PASSWORD);
    expect(t.logs.join("\n")).not.toContain(PASSWORD);
    expect(t.logs.join("\n")).not.toContain(ssokey);
  });

  it("answers 429 to a client spraying SSO keys, never to the right key (SECURITY row 6)", async () => {
    const call = (key: string, remoteAddress: string) =>
      t.app.inject({
        method: "GET",
        url: `/api/authenticate?${query({ email: "a@partner.example", password: "x", ssokey: key, product: "accounts" })}`,
        remoteAddress,
      });
    for (let i = 0; i < 20; i++) {
      expect((await call(`hsk_${"A".repeat(59)}`, "203.0.113.66")).statusCode).toBe(401);
    }
    const blocked = await call(`hsk_${"B".repeat(59)}`, "203.0.113.66");
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ stat: "fail", return: { error: "rate_limited" } });
    // The right key is served from that address too (a partner behind the same NAT), and anywhere.
    expect((await call(ssokey, "203.0.113.66")).statusCode).toBe(200);
    expect((await call(ssokey, "203.0.113.67")).statusCode).toBe(200);
  });

  it("refuses a wrong or rotated ssokey, an unknown product and missing fields, in its own envelope", async () => {
    const call = (fields: Record<string, string>) =>
      t.app.inject({ method: "GET", url: `/api/authenticate?${query(fields)}` });
    const base = { email: "ada@partner.example", password: PASSWORD, ssokey, product: "accounts" };

    const wrong = await call({ ...base, ssokey: `${ssokey.slice(0, -4)}AAAA` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({
      status_code: 401,
      stat: "fail",
      return: { error: "invalid_sso_key" },
    });
    const rotated = await domainsOf(t.app).partners.rotateSsoKey(partnerId);
    expect((await call(base)).statusCode).toBe(401);
    const fresh = { ...base, ssokey: rotated };
    expect((await call({ ...fresh, product: "livechat" })).json()).toMatchObject({
      status_code: 400,
      return: { error: "unknown_app" },
    });
    expect((await call({ ...fresh, product: "spaceship" })).statusCode).toBe(400);
    for (const missing of ["email", "password", "ssokey", "product"]) {
      const { [missing]: _, ...rest } = fresh as Record<string, string>;
      const response = await call(rest);
      expect(response.statusCode, missing).toBe(400);
      expect(response.json().return.message).toContain(missing);
    }
    expect((await call({ ...fresh, email: "nope" })).statusCode).toBe(400);
    await domainsOf(t.app).partners.setStatus(partnerId, "suspended");
    expect((await call(fresh)).statusCode).toBe(403);
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toEqual([]);
    expect(await t.database.read.selectFrom("users").select("id").execute()).toEqual([]);
  });
});
