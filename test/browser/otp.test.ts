// The one-time-code step in a real browser (Debian's Chromium), for each of seed 002's modes: a
// partner mints with seed 002's own request (tpd.otp set), the person opens the redirect link,
// asks for the code, reads it from the mail (a real SMTP listener) or the text (a gateway that
// verifies the Standard Webhooks signature), types it and lands in examples/storefront, which
// signs them in with OpenID Connect, says the ID token's `amr` holds a one-time code, and renders
// its checkout as the link's field settings ask. axe checks the step.
import type { Server } from "node:http";
import { AxeBuilder } from "@axe-core/playwright";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorefront } from "../../examples/storefront/server.js";
import { testConfig } from "../../src/config.js";
import { accessTokenFor, buildApp, domainsOf, makePartner } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";
import { type SmsReceiver, startSmsGateway } from "../helpers/sms.js";
import { type Mailbox, startSmtp } from "../helpers/smtp.js";

describe.skipIf(!chromiumAvailable)("one-time codes in a browser", () => {
  let app: FastifyInstance;
  let storefront: Server;
  let smtp: Mailbox;
  let gateway: SmsReceiver & { secret: string };
  let browser: Browser;
  let base: string;
  let token: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    gateway = await startSmsGateway();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(
      testConfig({
        baseUrl: base,
        port,
        smtpUrl: smtp.url,
        sms: { kind: "webhook", url: gateway.url, secret: gateway.secret },
      }),
    );
    await app.listen({ port, host: "127.0.0.1" });
    // The storefront on another site than Handoff ("localhost" vs "127.0.0.1").
    const shopPort = await freePort();
    const shop = `http://localhost:${shopPort}`;
    const registered = await domainsOf(app).apps.create({
      name: "StoreFront",
      baseUrl: shop,
      products: ["storefront"],
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
    token = await accessTokenFor(app, await makePartner(app));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => storefront?.close(resolve));
    await smtp?.close();
    await gateway?.close();
    await app?.close();
  });

  /** Seed 002's request, as its page shows it, with an OTP mode. */
  async function redirectLink(
    otp: string,
    email: string,
    tpd: Record<string, unknown> = {},
  ): Promise<string> {
    const response = await fetch(`${base}/chef/v1/oauth/sso/stores/company`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        user_input: email,
        tpd: {
          unique_id: "EMP-0042",
          email: { default_value: email, editable: false, hidden: false, support_alternate: true },
          otp,
          ...tpd,
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

  /** Past the code: the storefront's welcome, which reads `amr` from the ID token. */
  async function landsWithOtp(page: Page): Promise<void> {
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: /Welcome to the storefront/ }).waitFor();
    expect(await page.locator("#amr").textContent()).toBe(
      "a login link from your partner's site and a one-time code (two factors)",
    );
    await page.getByRole("link", { name: "Go to checkout" }).click();
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
  }

  it("signs in with a code mailed to the primary email; the checkout locks the email", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(await redirectLink("primary_email", "ada@example.com"));
    await page.getByText("a***@example.com").waitFor();
    await noSeriousViolations(page);
    expect(smtp.mail).toHaveLength(0);
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByLabel("The 6-digit code").fill(await smtp.codeFor("ada@example.com"));
    await noSeriousViolations(page);
    await landsWithOtp(page);
    // editable: false → read-only with the partner's value; support_alternate → another email.
    const email = page.getByLabel(/^Email/);
    expect(await email.inputValue()).toBe("ada@example.com");
    expect(await email.getAttribute("readonly")).not.toBeNull();
    await page.getByLabel("Another email for this order (optional)").waitFor();
    // No phone in the link: an empty phone field the person may fill.
    expect(await page.getByLabel("Phone").inputValue()).toBe("");
    await page.getByRole("button", { name: "Place order" }).click();
    expect(await page.locator("#confirmation-to").textContent()).toBe("ada@example.com");
    await context.close();
  }, 60_000);

  it("sends the code to an address the person types, for alternate_email", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      await redirectLink("alternate_email", "bo@example.com", {
        email: { default_value: "bo@example.com", editable: true, hidden: true },
      }),
    );
    await page.getByLabel("Email address for the code").fill("bo.work@example.org");
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByLabel("The 6-digit code").fill(await smtp.codeFor("bo.work@example.org"));
    await landsWithOtp(page);
    // hidden: true → no email field at all.
    expect(await page.getByLabel(/^Email/).count()).toBe(0);
    expect(smtp.mail.filter((m) => m.to === "bo@example.com")).toHaveLength(0);
    await context.close();
  }, 60_000);

  it("texts the code to the primary phone; the checkout shows the phone as the link says", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      await redirectLink("primary_phone", "cy@example.com", {
        email: { default_value: "cy@example.com", support_alternate: false },
        phone: { default_value: "9876543210", phone_code: "+91", editable: false, hidden: false },
      }),
    );
    await page.getByText("+91 ••••••3210").waitFor();
    await noSeriousViolations(page);
    await page.getByRole("button", { name: "Send me a code" }).click();
    await page.getByLabel("The 6-digit code").fill(await gateway.codeFor("+919876543210"));
    await landsWithOtp(page);
    const phone = page.getByLabel(/^Phone/);
    expect(await phone.inputValue()).toBe("+919876543210");
    expect(await phone.getAttribute("readonly")).not.toBeNull();
    // support_alternate: false → no other email; the email stays editable.
    expect(await page.getByLabel("Another email for this order (optional)").count()).toBe(0);
    expect(await page.getByLabel(/^Email/).getAttribute("readonly")).toBeNull();
    await context.close();
  }, 60_000);
});
