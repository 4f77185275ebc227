// OIDC Front-Channel Logout 1.0 with a relying party Handoff shares no code with, in a real
// browser: Debian's Apache with mod_auth_openidc (server-side sessions in shared memory),
// registered with its front-channel endpoint (`<redirect URI>?logout=get`), and Debian's Chromium.
// Handoff is at http://localhost:PORT and Apache at http://127.0.0.1:PORT, two sites, as an app
// and its identity provider usually are. A person redeems a login link and lands at Apache,
// signed in through /oidc/auth; they sign out at Handoff, whose page loads mod_auth_openidc's
// endpoint in a hidden iframe with `iss` and `sid`. In that cross-site iframe Chromium does not
// send Apache's session cookie (it has no SameSite attribute, so Chromium treats it as Lax); the
// `sid` and `iss` are what find the session: mod_auth_openidc drops it (oidc_cleanup_by_sid), and
// the same cookie now sends the person back to Handoff's /oidc/auth.
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { testConfig } from "../../src/config.js";
import type { Database } from "../../src/db/database.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf, makePartner, sqliteTestDatabase } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/net.js";
import {
  OPENIDC_COOKIE,
  type Openidc,
  openidcAvailable,
  openidcPort,
  startOpenidc,
} from "../helpers/openidc.js";

describe.skipIf(!openidcAvailable || !chromiumAvailable)(
  "mod_auth_openidc hearing of a logout by front channel, in Chromium",
  () => {
    let app: FastifyInstance;
    let database: Database;
    let openidc: Openidc;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let frontchannelUri: string;
    let link: string;
    let userId: string;
    /** The ID token's sid, as mod_auth_openidc shows it. */
    let sid: string;
    /** Every request the browser made, with its answer's status. */
    const hops: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      base = `http://localhost:${port}`;
      database = await sqliteTestDatabase();
      app = await buildApp(testConfig({ baseUrl: base, port }), { database });
      await app.listen({ port, host: "127.0.0.1" });
      const rp = await openidcPort();
      frontchannelUri = `${rp.redirectUri}?logout=get`;
      const { apps, tickets } = domainsOf(app);
      const registered = await apps.create({
        name: "Portal",
        baseUrl: rp.base,
        returnPaths: ["/protected/"],
        redirectUris: [rp.redirectUri],
        frontchannelLogoutUri: frontchannelUri,
      });
      openidc = await startOpenidc(rp.port, {
        metadataUrl: `${base}/oidc/.well-known/openid-configuration`,
        clientId: registered.id,
        clientSecret: await apps.rotateSecret(registered.id),
      });
      const partner = await makePartner(app);
      const minted = await tickets.mint({
        partnerId: partner.partnerId,
        apiTokenId: partner.apiTokenId,
        user: { id: "u-1815", email: "ada@example.com", name: "Ada Lovelace" },
        appId: registered.id,
        returnTo: "/protected/",
        ip: "127.0.0.1",
      });
      userId = minted.userId;
      link = loginUrl(base, minted.ticket);
      browser = await launchChromium();
      context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on("response", (response) => {
        hops.push(`${response.request().method()} ${response.url()} → ${response.status()}`);
      });
    }, 60_000);

    afterAll(async () => {
      // Apache is stopped whatever else fails.
      try {
        await browser?.close();
      } finally {
        try {
          await openidc?.stop();
        } finally {
          try {
            await app?.close();
          } finally {
            await database?.close();
          }
        }
      }
    });

    function explainFailure(): void {
      onTestFailed(() => {
        console.error(`--- the browser's hops\n${hops.join("\n")}`);
        console.error(openidc.logs());
      });
    }

    /** The protected page's view of the person. */
    async function shown(): Promise<{ user: string | null; sid: string | null }> {
      return {
        user: await page.locator("#user").textContent(),
        sid: await page.locator("#sid").textContent(),
      };
    }

    it("signs the person in to Apache from the login link, through the Handoff session", async () => {
      explainFailure();
      await page.goto(link);
      await page.waitForURL(openidc.page);
      expect(await page.locator("h1").textContent()).toBe("Portal");
      const seen = await shown();
      expect(seen.user).toBe(userId);
      // The ID token carried a sid (Handoff adds it for front-channel clients): Apache keeps it
      // beside the session, and the iframe's URL names the same.
      sid = seen.sid as string;
      expect(sid).toMatch(/^[\w-]{10,}$/);
      expect(hops.some((hop) => hop.startsWith(`GET ${base}/oidc/auth?`))).toBe(true);
      const cookies = await context.cookies(openidc.base);
      expect(cookies.map((c) => c.name)).toContain(OPENIDC_COOKIE);
      // The negative control: the same Apache cookie keeps the person signed in.
      await page.goto(openidc.page);
      expect((await shown()).user).toBe(userId);
    }, 60_000);

    it("ends Apache's session when the person signs out at Handoff, through a hidden iframe", async () => {
      explainFailure();
      const apacheSession = (await context.cookies(openidc.base)).find(
        (c) => c.name === OPENIDC_COOKIE,
      )?.value;
      const framed = page.waitForRequest((request) => request.url().startsWith(frontchannelUri));
      // Signing out at Handoff: its own page's form posts /logout (as the demo app's button does).
      await page.goto(`${base}/oidc/.well-known/openid-configuration`);
      await page.evaluate(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/logout";
        document.body.append(form);
        form.submit();
      });
      const request = await framed;
      await page.getByRole("heading", { name: "You are signed out" }).waitFor();

      // The iframe's request: the registered URI with iss and sid, as a cross-site frame's.
      const url = new URL(request.url());
      expect(url.searchParams.get("logout")).toBe("get");
      expect(url.searchParams.get("iss")).toBe(`${base}/oidc`);
      expect(url.searchParams.get("sid")).toBe(sid);
      expect(request.frame().parentFrame()).not.toBeNull();
      const headers = await request.allHeaders();
      expect(headers["sec-fetch-dest"]).toBe("iframe");
      expect(headers["sec-fetch-site"]).toBe("cross-site");
      // Chromium sent no Apache cookie into the cross-site frame (a cookie without SameSite is
      // Lax), so mod_auth_openidc found the session by the sid and the issuer alone.
      expect(headers.cookie ?? "").not.toContain(OPENIDC_COOKIE);
      const answered = await request.response();
      expect(answered?.status()).toBe(200);
      const log = openidc.errorLog();
      expect(log).toContain(`oidc_cleanup_by_sid: enter (sid=${sid},iss=${base}/oidc)`);
      expect(log).not.toContain("could not (or no longer) find a session");
      // The same cookie no longer opens the page: Apache sends the person to Handoff again,
      // where no session signs them in.
      expect(
        (await context.cookies(openidc.base)).find((c) => c.name === OPENIDC_COOKIE)?.value,
      ).toBe(apacheSession);
      hops.length = 0;
      const response = await page.goto(openidc.page);
      expect(hops.some((hop) => hop.startsWith(`GET ${openidc.page} → 302`))).toBe(true);
      expect(hops.some((hop) => hop.startsWith(`GET ${base}/oidc/auth?`))).toBe(true);
      expect(page.url().startsWith(`${base}/oidc/`)).toBe(true);
      expect(response?.status()).toBe(401);
    }, 60_000);
  },
);
