// The console's integration pages in a real browser (Debian's Chromium, 1280 px wide): a partner
// admin adds a webhook endpoint with a 200-character URL through the form, copies its secret
// (shown once) into a receiver that verifies the deliveries with it, sees the deliveries and
// replays one, and sets a call-back endpoint; an operator sees their own webhooks, every
// delivery and the sign-in groups. axe checks every page, and no page is wider than the screen.
// With HANDOFF_SCREENSHOTS=1 it also saves docs/console/webhooks.png, webhook-deliveries.png
// and callbacks.png.
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { checkPage, chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";

const OPERATOR = { email: "ops@platform.example", password: "operator password 1" };
const ADMIN = { login: "owner@acme.example", password: "partner admin password" };
const WIDTH = 1280;
const screenshots = process.env.HANDOFF_SCREENSHOTS === "1";
const docs = new URL("../../docs/console/", import.meta.url).pathname;

/** A URL of exactly 200 characters under `start`. */
const long = (start: string) => `${start}/${"x".repeat(199 - start.length)}`;

describe.skipIf(!chromiumAvailable)("the console's integration pages in a browser", () => {
  let app: FastifyInstance;
  let receiver: PartnerEndpoint;
  let browser: Browser;
  let base: string;
  let partnerId: string;
  const checked: string[] = [];

  beforeAll(async () => {
    receiver = await startPartnerEndpoint();
    receiver.answer = { status: 204, body: "" };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The receiver is on this machine: allow its address (plain http to it, too).
    app = await buildApp(testConfig({ baseUrl: base, port, outboundAllow: ["127.0.0.1/32"] }));
    await app.listen({ port, host: "127.0.0.1" });
    const domains = domainsOf(app);
    await domains.operators.create(OPERATOR.email, OPERATOR.password);
    partnerId = (await domains.partners.create({ name: "Acme Rewards" })).partner.id;
    await domains.partnerUsers.create(partnerId, ADMIN.login, ADMIN.password);
    for (const [name, group] of [
      ["Shop", "retail"],
      ["Wallet", "retail"],
      ["Trips", null],
    ] as const) {
      await domains.apps.create({
        name,
        baseUrl: `https://${name.toLowerCase()}.example`,
        signInGroup: group,
      });
    }
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await receiver?.close();
  });

  /** axe finds nothing serious, nothing is wider than the 1280 px screen, and no table scrolls. */
  async function check(page: Page): Promise<void> {
    await checkPage(page, WIDTH, true);
    checked.push(new URL(page.url()).pathname);
  }

  async function signIn(page: Page, login: string, password: string, partner?: string) {
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel("Email or login").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    if (partner) await page.getByLabel("Partner ID").fill(partner);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
  }

  it("takes a partner admin through webhooks and call-backs, and an operator through theirs", async () => {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 800 } });
    const page = await context.newPage();
    await signIn(page, ADMIN.login, ADMIN.password, partnerId);

    // A webhook endpoint through the form, with a 200-character URL.
    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await page.getByRole("heading", { name: /^Webhooks/ }).waitFor();
    await check(page);
    const hookUrl = long(`${receiver.url}/hooks`);
    expect(hookUrl).toHaveLength(200);
    await page.getByLabel(/^URL/).fill(hookUrl);
    await page.getByLabel("api_token.created").check();
    await page.getByLabel("api_token.revoked").check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.locator("#secret-value").textContent()) as string;
    expect(secret).toMatch(/^whsec_/);
    await check(page);
    // Shown once: a reload shows nothing.
    await page.reload();
    await page.getByRole("heading", { name: "This secret was shown once" }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.goto(`${base}/console/partners/${partnerId}/webhooks`);
    const cut = page.locator(`span.clip[title="${hookUrl}"]`);
    await cut.waitFor();
    await check(page);
    if (screenshots) await page.screenshot({ path: `${docs}webhooks.png`, fullPage: true });

    // Two events: one delivered (the receiver verifies it with the secret from the page), one
    // answered 503 and waiting for its retry.
    receiver.secret = secret;
    const domains = domainsOf(app);
    const { apiToken } = await domains.partners.createApiToken(partnerId, { name: "checkout" });
    await domains.webhooks.deliver(app.log);
    expect(receiver.calls.map((c) => c.verified)).toEqual([true]);
    receiver.answer = { status: 503, body: "" };
    await domains.partners.revokeApiToken(partnerId, apiToken.id);
    await domains.webhooks.deliver(app.log);

    await page.getByRole("link", { name: "See the deliveries" }).click();
    await page.getByRole("heading", { name: /^Webhook deliveries/ }).waitFor();
    const created = page.getByRole("row").filter({ hasText: "api_token.created" });
    const revoked = page.getByRole("row").filter({ hasText: "api_token.revoked" });
    expect(await created.textContent()).toContain("delivered");
    expect(await revoked.textContent()).toContain("HTTP 503");
    await check(page);
    await created.getByRole("button", { name: "Replay" }).click();
    await page.getByText("queued to be sent again").waitFor();
    expect(await created.textContent()).toContain("pending");
    await check(page);
    if (screenshots) {
      await page.screenshot({ path: `${docs}webhook-deliveries.png`, fullPage: true });
    }
    await domains.webhooks.deliver(app.log);
    const again = receiver.calls.filter(
      (c) => (c.body as { type: string }).type === "api_token.created",
    );
    expect(again.map((c) => c.verified)).toEqual([true, true]);
    expect(again[0]?.headers["webhook-id"]).toBe(again[1]?.headers["webhook-id"]);

    // A call-back endpoint, its secret shown once.
    await page.getByRole("link", { name: "Call-backs" }).first().click();
    await page.getByRole("heading", { name: /^Call-backs/ }).waitFor();
    await check(page);
    const balanceUrl = long("https://partner.acme.example/handoff/balance");
    await page.getByLabel("Kind", { exact: true }).selectOption("balance");
    await page.getByLabel(/^URL/).fill(balanceUrl);
    await page.getByLabel(/^Timeout/).fill("3000");
    await page.getByRole("button", { name: "Save endpoint" }).click();
    expect(await page.locator("#secret-value").textContent()).toMatch(/^whsec_/);
    await check(page);
    await page.getByRole("link", { name: "Back to the call-backs" }).click();
    await page.locator(`span.clip[title="${balanceUrl}"]`).waitFor();
    expect(await page.getByRole("row").filter({ hasText: "balance" }).textContent()).toContain(
      "3000 ms",
    );
    await check(page);
    if (screenshots) await page.screenshot({ path: `${docs}callbacks.png`, fullPage: true });
    // A mistake shows on the form, in words.
    await page.getByLabel(/^URL/).fill("http://partner.acme.example/debit");
    await page.getByLabel("Kind", { exact: true }).selectOption("debit");
    await page.getByRole("button", { name: "Save endpoint" }).click();
    await page.getByRole("alert").filter({ hasText: "https" }).waitFor();
    await check(page);
    await page.getByRole("button", { name: "Sign out" }).click();

    // The operator: their own endpoints, every delivery, the sign-in groups, the partner's pages.
    await signIn(page, OPERATOR.email, OPERATOR.password);
    await page.getByRole("link", { name: "Sign-in groups" }).click();
    await page.getByRole("heading", { name: "Sign-in groups" }).waitFor();
    expect(await page.getByRole("row").filter({ hasText: "retail" }).textContent()).toContain(
      "Shop, Wallet",
    );
    await check(page);
    for (const path of [
      "/console/webhooks",
      "/console/webhook-deliveries",
      `/console/partners/${partnerId}/webhooks`,
      `/console/partners/${partnerId}/webhook-deliveries`,
      `/console/partners/${partnerId}/callbacks`,
    ]) {
      const answer = await page.goto(`${base}${path}`);
      expect(answer?.status(), path).toBe(200);
      await check(page);
    }
    await context.close();
    expect(checked.length).toBeGreaterThanOrEqual(15);
  }, 120_000);
});
