// The console's widest pages in a real browser (Debian's Chromium, 1280 px wide): Activity with
// long event details, Partners with a 200-character name, Apps with long URLs, one login link's
// timeline and the app form. No page is wider than the screen, no table scrolls sideways, and a
// row of Activity stays one or two lines (its details whole in a tooltip and on the timeline).
// axe checks every page. With HANDOFF_SCREENSHOTS=1 it also saves docs/console/activity.png,
// link-timeline.png and apps.png.
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertEntry } from "../../src/audit/store.js";
import { testConfig } from "../../src/config.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { checkPage, chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";

const OPERATOR = { email: "ops@platform.example", password: "operator password 1" };
const WIDTH = 1280;
const screenshots = process.env.HANDOFF_SCREENSHOTS === "1";
const docs = new URL("../../docs/console/", import.meta.url).pathname;

/** A URL of exactly 200 characters under `start`. */
const long = (start: string) => `${start}/${"x".repeat(199 - start.length)}`;

describe.skipIf(!chromiumAvailable)("the console's wide pages in a browser", () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let partnerId: string;
  let appId: string;
  let ticketId: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port }));
    await app.listen({ port, host: "127.0.0.1" });
    const domains = domainsOf(app);
    await domains.operators.create(OPERATOR.email, OPERATOR.password);
    const name = `Acme Rewards ${"International Loyalty Programme ".repeat(7)}`.slice(0, 200);
    partnerId = (await domains.partners.create({ name })).partner.id;
    await domains.partners.create({ name: "Globex" });
    appId = (
      await domains.apps.create({
        name: "Shop with a rather long name for its table cell",
        baseUrl: long("https://shop.example"),
        returnPaths: ["/", "/orders", "/account/settings/notifications/email"],
        redirectUris: [long("https://shop.example/oidc"), "https://shop.example/callback"],
      })
    ).id;
    await domains.apps.create({ name: "Trips", baseUrl: "https://trips.example" });

    // One link with a whole story: minted, its page opened, used, and the session signed out.
    const minted = await domains.tickets.mint({
      partnerId,
      apiTokenId: null,
      user: { id: "ada", email: "ada@example.com" },
      appId,
      ip: "198.51.100.7",
    });
    ticketId = minted.id;
    await fetch(`${base}/login/${minted.ticket}`);
    const used = await fetch(`${base}/login/${minted.ticket}`, {
      method: "POST",
      headers: { origin: base },
      redirect: "manual",
    });
    const cookie = (used.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await fetch(`${base}/logout`, { method: "POST", headers: { origin: base, cookie } });
    // Nine more links, and forty events whose details are long (a partner's long error).
    let other = "";
    for (let i = 0; i < 9; i++) {
      ({ id: other } = await domains.tickets.mint({
        partnerId,
        apiTokenId: null,
        user: { id: `user-${i}` },
        appId,
        ip: "198.51.100.7",
      }));
    }
    await domains.database.write(async (trx) => {
      for (let i = 0; i < 40; i++) {
        await insertEntry(trx, {
          at: Date.now() + i,
          actor: "browser",
          action: "ticket.redeem",
          partnerId,
          subject: other,
          ip: "203.0.113.9",
          outcome: "expired",
          detail: {
            expires_at: new Date().toISOString(),
            late_ms: 1234 + i,
            note: `the partner's call-back answered ${"a very long explanation ".repeat(30)}`,
          },
        });
      }
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** axe finds nothing serious; the page is no wider than the screen and no table scrolls. */
  const check = (page: Page) => checkPage(page, WIDTH, true);

  it("fits Activity, Partners, Apps, a link's timeline and the app form in 1280 px", async () => {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel("Email or login").fill(OPERATOR.email);
    await page.getByLabel("Password", { exact: true }).fill(OPERATOR.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.url()).toBe(`${base}/console`);

    // Activity: fifty rows, each one or two lines; the whole detail is in the tooltip.
    await page.goto(`${base}/console/partners/${partnerId}/activity`);
    await check(page);
    const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
    expect(height, "Activity is too tall").toBeLessThanOrEqual(3000);
    const tallest = Number(
      await page.evaluate(
        `Math.max(...[...document.querySelectorAll("tbody tr")].map((r) => r.getBoundingClientRect().height))`,
      ),
    );
    expect(tallest, "an Activity row is more than two lines").toBeLessThanOrEqual(64);
    const tooltip = await page.locator("td .clip[title*='a very long explanation']").first();
    expect(await tooltip.getAttribute("title")).toContain("late_ms: 1273");
    if (screenshots) await page.screenshot({ path: `${docs}activity.png`, fullPage: true });

    // The link's ID opens its timeline: minted, redeemed, signed out, in that order.
    await page.getByRole("link", { name: ticketId }).first().click();
    await expect
      .poll(() => page.url())
      .toBe(`${base}/console/partners/${partnerId}/links/${ticketId}`);
    await check(page);
    const steps = await page.locator("table tbody tr td:nth-child(2)").allTextContents();
    expect(steps.slice(0, 3)).toEqual([
      `Minted by ${partnerId}`,
      "Redeemed: signed in",
      "Session ended: logout",
    ]);
    if (screenshots) await page.screenshot({ path: `${docs}link-timeline.png`, fullPage: true });

    await page.goto(`${base}/console/partners`);
    await check(page);
    await page.goto(`${base}/console/apps`);
    await check(page);
    if (screenshots) await page.screenshot({ path: `${docs}apps.png`, fullPage: true });
    await page.goto(`${base}/console/apps/${appId}`);
    await check(page);
    await expect.poll(() => page.getByLabel(/^Link lifetime/).inputValue()).toBe("300");
    await page.goto(`${base}/console/apps/new`);
    await check(page);
    await context.close();
  }, 120_000);
});
