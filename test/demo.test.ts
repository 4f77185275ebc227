// The demo on first start: usable credentials, written once to a private file.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/open.js";
import { ensureDemo, writeDemoFile } from "../src/demo/demo.js";
import { domainsOf, type TestApp, testApp } from "./helpers/app.js";

describe("demo", () => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  it("creates an operator, a partner with every credential, a linked sub-account and an app that work", async () => {
    t = await testApp("sqlite", { demo: undefined });
    const demo = await ensureDemo(domainsOf(t.app));
    expect(demo).not.toBeNull();
    if (!demo) return;
    const dir = mkdtempSync(join(tmpdir(), "handoff-demo-"));
    const file = writeDemoFile(dir, demo);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written).toMatchObject({
      base_url: t.config.baseUrl,
      operator: { email: expect.any(String), password: expect.any(String) },
      partner: {
        id: expect.any(String),
        partner_token: expect.stringMatching(/^hpt_/),
        api_token: expect.stringMatching(/^hak_/),
        sso_key: expect.stringMatching(/^hsk_/),
      },
      sub_account: { id: expect.any(String) },
      app: {
        id: expect.any(String),
        url: `${t.config.baseUrl}/demo/app`,
        app_secret: expect.stringMatching(/^has_/),
      },
      login_link: { url: expect.stringContaining(`${t.config.baseUrl}/login/hts_`) },
    });
    // The printed link lands, logged in, on the demo app, which greets the user.
    const ticket = written.login_link.url.split("/login/")[1];
    const landed = await t.app.inject({
      method: "POST",
      url: `/login/${ticket}`,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe(`${t.config.baseUrl}/demo/app/`);
    const cookie = landed.cookies.find((c) => c.name === "handoff_session")?.value;
    const page = await t.app.inject({
      method: "GET",
      url: "/demo/app/",
      headers: { cookie: `handoff_session=${cookie}` },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Hello, Ada Lovelace");
    const anonymous = await t.app.inject({ method: "GET", url: "/demo/app" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain("not signed in");
    const exchange = await t.app.inject({
      method: "POST",
      url: "/v1/auth/token",
      payload: {
        partner_token: written.partner.partner_token,
        api_token: written.partner.api_token,
      },
    });
    expect(exchange.statusCode).toBe(200);
    expect(
      await domainsOf(t.app).partners.isLinked(written.partner.id, written.sub_account.id),
    ).toBe(true);
    // The demo partner user logs in through seed 000's password grant.
    const grant = await t.app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${written.partner.id}:${written.partner.partner_token}`).toString("base64")}`,
      },
      payload: new URLSearchParams({
        grant_type: "password",
        username: written.partner_user.username,
        password: written.partner_user.password,
        clientId: written.partner.id,
      }).toString(),
    });
    expect(grant.statusCode).toBe(200);
    // The printed logins open the console: the operator's, and the partner admin's.
    const consoleSignIn = (payload: Record<string, string>) =>
      t.app.inject({ method: "POST", url: "/v1/manage/sign-in", payload });
    const operatorIn = await consoleSignIn({
      login: written.operator.email,
      password: written.operator.password,
    });
    expect(operatorIn.json().viewer).toMatchObject({ kind: "operator", role: "operator" });
    const adminIn = await consoleSignIn({
      login: written.partner_user.username,
      password: written.partner_user.password,
      partner_id: written.partner.id,
    });
    expect(adminIn.json().viewer).toMatchObject({ role: "admin", partner_id: written.partner.id });
    // Only once: a second start on the same database creates nothing.
    expect(await ensureDemo(domainsOf(t.app))).toBeNull();
  });

  it("stays off with HANDOFF_DEMO=0, and serves no /demo routes", async () => {
    t = await testApp("sqlite", { demo: false });
    expect(await ensureDemo(domainsOf(t.app))).toBeNull();
    expect(await domainsOf(t.app).partners.list()).toEqual([]);
    for (const url of ["/demo/app", "/demo/app/"]) {
      expect((await t.app.inject({ method: "GET", url })).statusCode).toBe(404);
    }
  });

  it("serves the demo app's page only where the demo exists or is about to", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "handoff-demo-db-")), "handoff.db");
    const open = () => openDatabase(`sqlite:${file}`);
    const secretKey = randomBytes(32); // one key across the restarts, as in production
    const status = async () => (await t.app.inject({ method: "GET", url: "/demo/app" })).statusCode;
    // A deployment that made its own partner first (HANDOFF_DEMO unset): no demo, no page.
    t = await testApp("sqlite", { demo: false, secretKey }, await open());
    await domainsOf(t.app).partners.create({ name: "Real Partner" });
    await t.app.close();
    t = await testApp("sqlite", { demo: undefined, secretKey }, await open());
    expect(await ensureDemo(domainsOf(t.app))).toBeNull();
    expect(await status()).toBe(404);
    await t.app.close();
    // Asked for (HANDOFF_DEMO=1): the page is there, and stays on later starts.
    t = await testApp("sqlite", { demo: true, secretKey }, await open());
    expect(await status()).toBe(401);
    expect(await ensureDemo(domainsOf(t.app))).not.toBeNull();
    await t.app.close();
    t = await testApp("sqlite", { demo: undefined, secretKey }, await open());
    expect(await status()).toBe(401);
  });
});
