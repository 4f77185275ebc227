// One user's page and the signing keys in a real browser (Debian's Chromium, 1280 px wide): a
// partner admin goes from Activity to a user, ends all of their sessions (the app refuses the
// old cookie at once) and revokes their unused links, and sets a partner user's password (a
// refused one is shown on the form); another partner's admin gets the not-found page; a viewer
// sees no buttons and a post they make anyway is refused; an operator revokes a signing key
// after being asked. axe checks every page, and no page or table is wider than the screen.
// With HANDOFF_SCREENSHOTS=1 it also saves docs/console/user.png and keys.png.
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { checkPage, chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";
import { redeem, sessionCookie, verify } from "../helpers/sso.js";

const OPERATOR = { email: "ops@platform.example", password: "operator password 1" };
const ADMIN = { login: "owner@acme.example", password: "partner admin password" };
const VIEWER = { login: "auditor@acme.example", password: "partner viewer password" };
const OTHER = { login: "owner@globex.example", password: "other admin password" };
const WIDTH = 1280;
const screenshots = process.env.HANDOFF_SCREENSHOTS === "1";
const docs = new URL("../../docs/console/", import.meta.url).pathname;

describe.skipIf(!chromiumAvailable)("a user's page and the signing keys in a browser", () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let partnerId: string;
  let otherId: string;
  let appId: string;
  let userId: string;
  const cookies: string[] = [];
  const checked: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port }));
    await app.listen({ port, host: "127.0.0.1" });
    const domains = domainsOf(app);
    await domains.operators.create(OPERATOR.email, OPERATOR.password);
    partnerId = (await domains.partners.create({ name: "Acme Rewards" })).partner.id;
    otherId = (await domains.partners.create({ name: "Globex" })).partner.id;
    await domains.partnerUsers.create(partnerId, ADMIN.login, ADMIN.password);
    await domains.partnerUsers.create(partnerId, VIEWER.login, VIEWER.password, {
      role: "viewer",
    });
    await domains.partnerUsers.create(otherId, OTHER.login, OTHER.password);
    appId = (await domains.apps.create({ name: "Shop", baseUrl: "https://shop.example" })).id;
    // Ada: signed in twice (two sessions), and one link she has not used yet.
    const mint = () =>
      domains.tickets.mint({
        partnerId,
        apiTokenId: null,
        user: { id: "ada", email: "ada@example.com", name: "Ada Lovelace" },
        appId,
        ip: "198.51.100.7",
      });
    for (let i = 0; i < 2; i++)
      cookies.push(sessionCookie(await redeem(app, (await mint()).ticket)));
    const unused = await mint();
    userId = (await domains.tickets.status(partnerId, unused.id)).user_id;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function check(page: Page): Promise<void> {
    await checkPage(page, WIDTH, true);
    checked.push(new URL(page.url()).pathname);
  }

  async function signedIn(login: string, password: string, partner?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/console/sign-in`);
    await page.getByLabel("Email or login").fill(login);
    await page.getByLabel("Password", { exact: true }).fill(password);
    if (partner) await page.getByLabel("Partner ID").fill(partner);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    return page;
  }

  const userUrl = () => `${base}/console/partners/${partnerId}/end-users/${userId}`;

  it("lets a partner admin end one user's sessions and links, and set a partner user's password", async () => {
    const page = await signedIn(ADMIN.login, ADMIN.password, partnerId);
    await page.getByRole("link", { name: "Activity" }).first().click();
    await page.getByRole("heading", { name: /^Activity/ }).waitFor();
    await page.getByRole("link", { name: userId }).first().click();
    await page.getByRole("heading", { name: "User · Acme Rewards" }).waitFor();
    expect(await page.locator("main dl").textContent()).toContain("ada@example.com");
    expect(await page.locator(".stats").textContent()).toContain("2 live sessions");
    await check(page);

    await page.getByRole("button", { name: "End all sessions" }).click();
    await page.getByText("2 sessions ended: the user is signed out of every app.").waitFor();
    for (const cookie of cookies) {
      expect((await verify(app, cookie, `?app=${appId}`)).statusCode).toBe(401);
    }
    expect(await page.getByRole("button", { name: "End all sessions" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Revoke all unused login links" }).click();
    await page.getByText("1 unused login link revoked").waitFor();
    expect(await page.locator(".stats").textContent()).toContain("0 unused login links");
    await check(page);
    if (screenshots) await page.screenshot({ path: `${docs}user.png`, fullPage: true });

    // A link of hers opens its timeline, which leads back to her.
    await page
      .getByRole("link", { name: /^[A-Za-z0-9_-]{16}$/ })
      .first()
      .click();
    await page.getByRole("heading", { name: /^Login link/ }).waitFor();
    await page.getByRole("link", { name: userId }).click();
    await page.getByRole("heading", { name: "User · Acme Rewards" }).waitFor();

    // The viewer's new password: one the rules refuse is shown on the form, in words.
    await page.goto(`${base}/console/partners/${partnerId}/users`);
    await page.getByRole("link", { name: `Set a new password for ${VIEWER.login}` }).click();
    await page.getByRole("heading", { name: `New password for ${VIEWER.login}` }).waitFor();
    await check(page);
    await page.getByLabel(/^New password/).fill("x".repeat(1025));
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByRole("alert").filter({ hasText: "12 to 1024 characters" }).waitFor();
    await check(page);
    await page.getByLabel(/^New password/).fill("the viewer's new password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByText("The password is set").waitFor();
    await page.context().close();
  }, 120_000);

  it("keeps another partner's admin out, and a viewer to reading", async () => {
    const other = await signedIn(OTHER.login, OTHER.password, otherId);
    const answer = await other.goto(userUrl());
    expect(answer?.status()).toBe(404);
    await other.getByRole("heading", { name: "Not found" }).waitFor();
    await check(other);
    await other.context().close();

    const viewer = await signedIn(VIEWER.login, "the viewer's new password", partnerId);
    await viewer.goto(userUrl());
    await viewer.getByRole("heading", { name: "User · Acme Rewards" }).waitFor();
    expect(await viewer.getByRole("button", { name: "End all sessions" }).count()).toBe(0);
    await check(viewer);
    // A form they build themselves, with their own CSRF token: refused, as a page.
    await viewer.evaluate((action) => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = action;
      const csrf = document.querySelector<HTMLInputElement>("input[name=csrf]");
      if (csrf) form.append(csrf.cloneNode());
      document.body.append(form);
      form.submit();
    }, `${userUrl()}/sessions/revoke`);
    await viewer.getByText("viewers may only read").waitFor();
    await viewer.context().close();
  }, 120_000);

  it("lets an operator revoke a signing key after asking", async () => {
    const page = await signedIn(OPERATOR.email, OPERATOR.password);
    await page.getByRole("link", { name: "Keys" }).click();
    await page.getByRole("heading", { name: "Signing keys" }).waitFor();
    await page.getByRole("button", { name: "Rotate signing keys" }).click();
    await page.getByText("New signing keys are published").waitFor();
    const rows = page.getByRole("row").filter({ has: page.getByRole("link", { name: /^Revoke/ }) });
    expect(await rows.count()).toBe(2);
    await check(page);
    if (screenshots) await page.screenshot({ path: `${docs}keys.png`, fullPage: true });
    const kid = (await rows.first().locator("code").textContent()) as string;
    await page.getByRole("link", { name: `Revoke the key ${kid}` }).click();
    await page.getByRole("heading", { name: `Revoke the signing key ${kid}?` }).waitFor();
    await check(page);
    await page.getByRole("button", { name: "Revoke signing key" }).click();
    await page.getByText("The signing key is revoked").waitFor();
    expect(await page.locator("main").textContent()).not.toContain(kid);
    await check(page);
    await page.context().close();
    expect(checked.length).toBeGreaterThanOrEqual(9);
  }, 120_000);
});
