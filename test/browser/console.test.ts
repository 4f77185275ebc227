// The console in a real browser (Debian's Chromium, 375 px wide): the operator creates a partner
// and its admin; the admin creates an API token on the Token Management page, the token works
// with seed 001's exchange and mints a link that lands; the admin revokes it and the next
// exchange fails; a failed login shows in Activity with its reason. axe checks every page.
import { createServer, type Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { totpCode } from "../../src/console/signin/totp.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { checkPage, chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";

const OPERATOR = { email: "ops@platform.example", password: "operator password 1" };
const ADMIN = { login: "owner@acme.example", password: "partner admin password" };

describe.skipIf(!chromiumAvailable)("the console in a browser", () => {
  let app: FastifyInstance;
  let shop: Server;
  let browser: Browser;
  let base: string;
  let shopUrl: string;
  let appId: string;
  const checked: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port }));
    await app.listen({ port, host: "127.0.0.1" });
    shop = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<!doctype html><title>Shop</title><h1>Landed in the shop</h1>");
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as { port: number }).port}`;
    appId = (await domainsOf(app).apps.create({ name: "Shop", baseUrl: shopUrl })).id;
    await domainsOf(app).operators.create(OPERATOR.email, OPERATOR.password);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => shop?.close(resolve));
    await app?.close();
  });

  /** axe finds nothing serious or critical, and nothing is wider than the phone's screen. */
  async function check(page: Page): Promise<void> {
    await checkPage(page, 375);
    checked.push(new URL(page.url()).pathname);
  }

  const exchange = (partnerToken: string, apiToken: string) =>
    fetch(`${base}/v1/autho/apitoken/login/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_token: apiToken, partner_token: partnerToken }),
    });

  it("takes an operator and a partner admin from sign-in to a revoked token", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();

    // The operator signs in and creates a partner; its partner token is shown once.
    await page.goto(`${base}/dashboard`);
    await expect.poll(() => page.url()).toBe(`${base}/console/sign-in`);
    await check(page);
    await page.getByLabel("Email or login").fill(OPERATOR.email);
    await page.getByLabel("Password", { exact: true }).fill(OPERATOR.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await check(page);
    await page.getByRole("link", { name: "Partners" }).click();
    await page.getByRole("heading", { name: "Partners" }).waitFor();
    await check(page);
    await page.getByLabel("Name", { exact: true }).fill("Acme Rewards");
    await page.getByRole("button", { name: "Create partner" }).click();
    const partnerToken = (await page.locator("#secret-value").textContent()) as string;
    expect(partnerToken).toMatch(/^hpt_/);
    await check(page);
    const partnerId = (await page.locator("main p code").first().textContent()) as string;
    expect(partnerId).toMatch(/^ptn_/);

    // … and the partner's first admin.
    await page.getByRole("link", { name: "create their first admin" }).click();
    await check(page);
    await page.getByLabel("Email or mobile number").fill(ADMIN.login);
    await page.getByLabel("Password (12 or more characters)").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("The user is created").waitFor();
    for (const path of [
      "/console/apps",
      "/console/keys",
      "/console/audit",
      `/console/partners/${partnerId}`,
    ]) {
      await page.goto(`${base}${path}`);
      await check(page);
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.url()).toBe(`${base}/console/sign-in`);

    // The partner admin signs in and creates an API token on the Token Management page.
    await page.getByLabel("Email or login").fill(ADMIN.login);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Partner ID").fill(partnerId);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("link", { name: "Token Management" }).first().click();
    await page.getByRole("heading", { name: /Token Management/ }).waitFor();
    await check(page);
    await page.getByLabel("Name", { exact: true }).fill("checkout backend");
    await page.getByRole("button", { name: "Create API token" }).click();
    const apiToken = (await page.locator("#secret-value").textContent()) as string;
    expect(apiToken).toMatch(/^hak_/);
    await check(page);

    // Seed 001's exchange with it, and a login link that lands in the app.
    const exchanged = await exchange(partnerToken, apiToken);
    expect(exchanged.status).toBe(200);
    const access = ((await exchanged.json()) as { data: { token: string } }).data.token;
    const mint = (body: Record<string, unknown>) =>
      fetch(`${base}/v1/sso/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
        body: JSON.stringify({ user: { id: "user-42" }, app: appId, ...body }),
      }).then((r) => r.json() as Promise<{ login_url: string }>);
    const visitor = await browser.newPage();
    await visitor.goto((await mint({})).login_url);
    await visitor.getByRole("heading", { name: "Landed in the shop" }).waitFor();
    // A link bound to another address fails, with its reason recorded.
    await visitor.goto((await mint({ bind_ip: "203.0.113.9" })).login_url);
    await visitor.getByText("ip_mismatch").waitFor();
    await visitor.close();

    // The token list shows it (used), never its secret; revoking asks first.
    await page.goto(`${base}/console/partners/${partnerId}/tokens`);
    expect(await page.content()).not.toContain(apiToken.slice(20));
    await page.getByRole("link", { name: "Revoke checkout backend" }).click();
    await check(page);
    await page.getByRole("button", { name: "Revoke API token" }).click();
    const revokedAt = Date.now();
    await page.getByText("The API token is revoked").waitFor();
    let refused = false;
    while (!refused && Date.now() - revokedAt < 1000) {
      refused = (await exchange(partnerToken, apiToken)).status === 401;
    }
    expect(refused).toBe(true);

    // Activity says why the second login failed.
    await page.getByRole("link", { name: "Activity" }).first().click();
    await page.getByRole("heading", { name: /Activity/ }).waitFor();
    await check(page);
    const rejected = page.getByRole("row").filter({ hasText: "rejected" });
    await expect.poll(() => rejected.first().textContent()).toContain("ip_mismatch");
    await page.getByRole("link", { name: "Integration" }).first().click();
    await expect.poll(() => page.locator("#snippet-curl").textContent()).toContain(base);
    await check(page);
    // Operator pages are not the partner admin's: refused in words.
    const operatorOnly = await page.goto(`${base}/console/audit`);
    expect(operatorOnly?.status()).toBe(403);
    await page.getByText("only the platform's operators may do this").waitFor();
    await check(page);
    await context.close();
    expect(checked.length).toBeGreaterThanOrEqual(15);
  }, 120_000);

  it("sets up an authenticator app with a QR code, then asks for its code at sign-in", async () => {
    await domainsOf(app).operators.create("second@platform.example", OPERATOR.password);
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const signIn = async () => {
      await page.goto(`${base}/console/sign-in`);
      await page.getByLabel("Email or login").fill("second@platform.example");
      await page.getByLabel("Password", { exact: true }).fill(OPERATOR.password);
      await page.getByRole("button", { name: "Sign in" }).click();
    };
    await signIn();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("link", { name: "Account" }).click();
    await check(page);
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.getByRole("img", { name: "QR code holding your authenticator key" }).waitFor();
    await check(page);
    const key = (await page.locator("#totp-key").textContent()) as string;
    await page.getByLabel("Code from the app").fill(totpCode(key, Date.now()));
    await page.getByRole("button", { name: "Turn on" }).click();
    const recovery = (await page.locator("#secret-value").textContent()) as string;
    expect(recovery.split("\n")).toHaveLength(10);
    await check(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn();
    await page.getByRole("heading", { name: "Your code" }).waitFor();
    await check(page);
    // A recovery code (the TOTP code of this step is spent already).
    await page.getByLabel(/6-digit code/).fill(recovery.split("\n")[0] as string);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await context.close();
  }, 60_000);
});
