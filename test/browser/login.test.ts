// A real browser (Debian's Chromium through playwright-core) follows a login link from a
// partner's page on another site to the demo app, sees the user, and signs out.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { chromiumAvailable, launchChromium, partnerPage } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";

describe.skipIf(!chromiumAvailable)("a browser following a login link", () => {
  let app: FastifyInstance;
  let partnerSite: Server;
  let browser: Browser;
  let base: string;
  let partnerUrl: string;
  let ticketId: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The demo app's page is served only with the demo (HANDOFF_DEMO=1 here).
    app = await buildApp(testConfig({ baseUrl: base, port, demo: true }));
    await app.listen({ port, host: "127.0.0.1" });
    const { partner, partnerToken: _ } = await domainsOf(app).partners.create({ name: "Partner" });
    const demoApp = await domainsOf(app).apps.create({
      name: "Demo Storefront",
      baseUrl: `${base}/demo/app`,
      returnPaths: ["/"],
    });
    const minted = await domainsOf(app).tickets.mint({
      partnerId: partner.id,
      apiTokenId: null,
      user: { id: "u-42", email: "grace@example.com", name: "Grace Hopper" },
      appId: demoApp.id,
      returnTo: "/welcome",
      ip: "127.0.0.1",
    });
    ticketId = minted.id;
    // The partner's own site, on another origin ("localhost" is another site than 127.0.0.1).
    const link = loginUrl(base, minted.ticket);
    ({ server: partnerSite, url: partnerUrl } = await partnerPage(link, "Open the shop"));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => partnerSite?.close(resolve));
    await app?.close();
  });

  it("lands logged in on the demo app, keeps the cookie safe, and signs out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(partnerUrl);
    await page.click("#go");
    await page.waitForURL(`${base}/demo/app/welcome`);
    expect(await page.textContent("h1")).toBe("Hello, Grace Hopper");
    expect(await page.textContent("#email")).toBe("grace@example.com");
    expect(await page.textContent("#page")).toBe("/demo/app/welcome");
    // The URL the person ends on carries no secret.
    expect(page.url()).not.toContain("hts_");

    const [cookie] = await context.cookies(base);
    expect(cookie).toMatchObject({
      name: "handoff_session",
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
    });
    const status = await domainsOf(app).tickets.status(
      (await domainsOf(app).partners.list())[0]?.id as string,
      ticketId,
    );
    expect(status.status).toBe("redeemed");

    // A mangled link shows its own page, not an error dump.
    const mangled = await page.goto(`${base}/login/hts_truncated`);
    expect(mangled?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("This link is not valid");

    await page.goto(`${base}/demo/app/`);
    await page.click("button[type=submit]");
    await page.waitForSelector("text=You are signed out");
    const after = await page.goto(`${base}/demo/app/`);
    expect(after?.status()).toBe(401);
    expect(await page.textContent("main")).toContain("not signed in");
    await context.close();
  }, 60_000);

  it("lands on an app on another origin (the page's CSP lets the form's redirect through)", async () => {
    const appSite = createServer((req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><title>Shop</title><h1>Shop at ${req.url}</h1>`);
    });
    await new Promise<void>((resolve) => appSite.listen(0, "127.0.0.1", resolve));
    try {
      const shopBase = `http://localhost:${(appSite.address() as AddressInfo).port}/shop`;
      const shop = await domainsOf(app).apps.create({ name: "Shop", baseUrl: shopBase });
      const partnerId = (await domainsOf(app).partners.list())[0]?.id as string;
      const minted = await domainsOf(app).tickets.mint({
        partnerId,
        apiTokenId: null,
        user: { id: "u-43" },
        appId: shop.id,
        ip: "127.0.0.1",
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(loginUrl(base, minted.ticket));
      await page.waitForURL(`${shopBase}/`);
      expect(await page.textContent("h1")).toBe("Shop at /shop/");
      await context.close();
    } finally {
      await new Promise((resolve) => appSite.close(resolve));
    }
  }, 60_000);

  it("shows a clear page for a link that was already used", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(partnerUrl);
    await page.click("#go");
    await page.waitForSelector("h1");
    expect(await page.textContent("h1")).toBe("This link has already been used");
    await context.close();
  }, 60_000);
});
