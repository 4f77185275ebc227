// The one-time-code step in a real browser (Debian's Chromium): a partner mints with seed 002's
// own request (tpd.otp set), the person opens the redirect link, asks for the code, reads it from
// the mail (a real SMTP listener), types it and lands in the app; for alternate_email the code
// goes to the address they type. axe checks the step.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AxeBuilder } from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { testConfig } from "../../src/config.js";
import { accessTokenFor, makePartner } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";
import { type Mailbox, startSmtp } from "../helpers/smtp.js";

describe.skipIf(!chromiumAvailable)("one-time codes in a browser", () => {
  let app: FastifyInstance;
  let shop: Server;
  let smtp: Mailbox;
  let browser: Browser;
  let base: string;
  let token: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port, smtpUrl: smtp.url }));
    await app.listen({ port, host: "127.0.0.1" });
    shop = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<!doctype html><title>Shop</title><h1>Landed in the shop</h1>");
    });
    await new Promise<void>((resolve) => shop.listen(0, "127.0.0.1", resolve));
    await app.services.apps.create({
      name: "StoreFront",
      baseUrl: `http://127.0.0.1:${(shop.address() as AddressInfo).port}`,
      products: ["storefront"],
    });
    token = await accessTokenFor(app, await makePartner(app));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => shop?.close(resolve));
    await smtp?.close();
    await app?.close();
  });

  /** Seed 002's request, as its page shows it, with an OTP mode. */
  async function redirectLink(otp: string, email: string): Promise<string> {
    const response = await fetch(`${base}/chef/v1/oauth/sso/stores/company`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        user_input: email,
        tpd: {
          unique_id: "EMP-0042",
          email: { default_value: email, editable: false, hidden: false, support_alternate: true },
          otp,
        },
      }),
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { ssoToken: string } };
    return `${base}/chef/v1/oauth/redirect/stores/${data.ssoToken}`;
  }

  async function noSeriousViolations(page: Page): Promise<void> {
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter(
      (v) => v.impact === "serious" || v.impact === "critical",
    );
    expect(serious.map((v) => v.id)).toEqual([]);
  }

  it("signs in with a code mailed to the primary email", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(await redirectLink("primary_email", "ada@example.com"));
    await page.getByText("a***@example.com").waitFor();
    await noSeriousViolations(page);
    expect(smtp.mail).toHaveLength(0);
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByLabel("The 6-digit code").fill(await smtp.codeFor("ada@example.com"));
    await noSeriousViolations(page);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Landed in the shop" }).waitFor();
    await context.close();
  }, 60_000);

  it("sends the code to an address the person types, for alternate_email", async () => {
    const page = await browser.newPage();
    await page.goto(await redirectLink("alternate_email", "bo@example.com"));
    await page.getByLabel("Email address for the code").fill("bo.work@example.org");
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByLabel("The 6-digit code").fill(await smtp.codeFor("bo.work@example.org"));
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Landed in the shop" }).waitFor();
    expect(smtp.mail.filter((m) => m.to === "bo@example.com")).toHaveLength(0);
    await page.close();
  }, 60_000);
});
