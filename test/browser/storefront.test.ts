// A real browser (Debian's Chromium through playwright-core) goes from a partner's page through a
// login link to examples/storefront, which signs the person in with OpenID Connect (openid-client)
// and shows who they are; signing out of the storefront ends the Handoff session too.
import type { Server } from "node:http";
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorefront } from "../../examples/storefront/server.js";
import { testConfig } from "../../src/config.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { chromiumAvailable, launchChromium, partnerPage } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";

describe.skipIf(!chromiumAvailable)("a browser signing in to the storefront example", () => {
  let app: FastifyInstance;
  let storefront: Server;
  let partnerSite: Server;
  let browser: Browser;
  let base: string;
  let shop: string;
  let partnerUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port }));
    await app.listen({ port, host: "127.0.0.1" });
    // The storefront on another site than Handoff ("localhost" vs "127.0.0.1").
    const shopPort = await freePort();
    shop = `http://localhost:${shopPort}`;
    const registered = await domainsOf(app).apps.create({
      name: "Storefront",
      baseUrl: shop,
      redirectUris: [`${shop}/callback`],
      postLogoutRedirectUris: [`${shop}/signed-out`],
    });
    storefront = createStorefront({
      issuer: `${base}/oidc`,
      clientId: registered.id,
      clientSecret: await domainsOf(app).apps.rotateSecret(registered.id),
      redirectUri: `${shop}/callback`,
    });
    await new Promise<void>((resolve) => storefront.listen(shopPort, "127.0.0.1", resolve));
    const { partner } = await domainsOf(app).partners.create({ name: "Partner" });
    const minted = await domainsOf(app).tickets.mint({
      partnerId: partner.id,
      apiTokenId: null,
      user: { id: "u-42", email: "grace@example.com", name: "Grace Hopper" },
      appId: registered.id,
      ip: "127.0.0.1",
    });
    const link = loginUrl(base, minted.ticket);
    ({ server: partnerSite, url: partnerUrl } = await partnerPage(link, "Go shopping"));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => partnerSite?.close(resolve));
    await new Promise((resolve) => storefront?.close(resolve));
    await app?.close();
  });

  it("shows the user and partner after the login link, and signs out of both", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(partnerUrl);
    await page.click("#go");
    await page.waitForURL(`${shop}/`);
    await page.waitForSelector("#name");
    expect(await page.textContent("#name")).toBe("Grace Hopper");
    expect(await page.textContent("#email")).toBe("grace@example.com");
    const partnerId = (await domainsOf(app).partners.list())[0]?.id as string;
    expect(await page.textContent("#partner")).toBe(partnerId);
    expect(page.url()).not.toMatch(/code=|hts_/);
    // Readable: how the person signed in in words, and the stylesheet applied (CSP allows it).
    expect(await page.textContent("#amr")).toBe("a login link from your partner's site");
    expect(await page.evaluate("getComputedStyle(document.body).maxWidth")).toBe("640px");

    await page.click("#logout");
    await page.waitForURL(`${shop}/signed-out`);
    expect(await page.textContent("h1")).toBe("You are signed out of the storefront");
    const sessions = await domainsOf(app)
      .database.read.selectFrom("sessions")
      .select("end_reason")
      .execute();
    expect(sessions).toEqual([{ end_reason: "oidc_logout" }]);
    // Back at the storefront there is no way in without a new login link.
    await page.goto(`${shop}/`);
    expect(await page.textContent("h1")).toBe("Open this app from your partner's site");
    await context.close();
  }, 60_000);
});
