// Handoff as the SAML identity provider of a real service provider it does not share code with:
// Debian's Apache with mod_auth_mellon (Lasso), configured as docs/saml.md says, in front of a
// stand-in app on another site. Debian's Chromium opens a partner's login link and lands in the
// app signed in (IdP-initiated); with mellon's cookie gone the app asks Handoff again and gets
// the person back from the live session (SP-initiated); mellon's logout ends the Handoff session
// too (single logout), after which the app can only send the person back to their partner.
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { App } from "../../src/apps/service.js";
import { testConfig } from "../../src/config.js";
import { samlSettingsFromMetadata } from "../../src/saml/settings.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf, makePartner } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { MELLON_COOKIE, type Mellon, mellonAvailable, startMellon } from "../helpers/mellon.js";
import { freePort } from "../helpers/net.js";

describe.skipIf(!chromiumAvailable || !mellonAvailable)(
  "mod_auth_mellon signing in through Handoff in a browser",
  () => {
    let app: FastifyInstance;
    let mellon: Mellon;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let link: string;
    let userId: string;
    let partnerId: string;
    let registered: App;
    /** Every request the browser made to Handoff's SAML endpoints, with its answer's status. */
    const samlHops: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      app = await buildApp(testConfig({ baseUrl: base, port }));
      await app.listen({ port, host: "127.0.0.1" });
      mellon = await startMellon(base);
      registered = await domainsOf(app).apps.create({
        name: "Portal",
        baseUrl: mellon.base,
        saml: samlSettingsFromMetadata(mellon.spMetadata),
      });
      const partner = await makePartner(app);
      partnerId = partner.partnerId;
      const minted = await domainsOf(app).tickets.mint({
        partnerId,
        apiTokenId: partner.apiTokenId,
        user: {
          id: "u-1815",
          email: "ada@example.com",
          name: "Ada Lovelace",
          phone: { number: "2025550143", country_code: "+1" },
        },
        appId: registered.id,
        returnTo: "/",
        partnerData: { tier: "gold" },
        ip: "127.0.0.1",
      });
      userId = minted.userId;
      link = loginUrl(base, minted.ticket);
      browser = await launchChromium();
      context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on("response", (response) => {
        if (response.url().startsWith(`${base}/saml/`)) {
          samlHops.push(`${response.request().method()} ${response.url()} → ${response.status()}`);
        }
      });
    }, 60_000);

    afterAll(async () => {
      // Apache is stopped whatever else fails.
      try {
        await browser?.close();
      } finally {
        try {
          await mellon?.stop();
        } finally {
          await app?.close();
        }
      }
    });

    /** On failure: what the browser asked Handoff, and what Apache and mellon logged. */
    function explainFailure(): void {
      onTestFailed(() => {
        console.error(`--- Handoff's SAML endpoints\n${samlHops.join("\n")}`);
        console.error(`--- the page at ${page.url()}`);
        console.error(mellon.logs());
      });
    }

    /** The protected page's view of the person. */
    async function shown(): Promise<Record<string, string | null>> {
      await page.locator("#email").waitFor();
      const ids = ["user", "name-id", "email", "name", "phone", "partner", "partner-data", "amr"];
      return Object.fromEntries(
        await Promise.all(ids.map(async (id) => [id, await page.textContent(`#${id}`)])),
      );
    }

    it("registers the app from mellon_create_metadata's metadata", async () => {
      expect(registered.saml).toMatchObject({
        entityId: `${mellon.base}/mellon/metadata`,
        acsUrls: [`${mellon.base}/mellon/postResponse`],
        nameIdFormat: "persistent",
        sloUrl: `${mellon.base}/mellon/logout`,
      });
      expect(registered.saml?.certificate).toContain("BEGIN CERTIFICATE");
      // Its KeyDescriptor use="encryption": every assertion below is encrypted for mellon (Lasso).
      expect(registered.saml?.encryptionCertificate).toContain("BEGIN CERTIFICATE");
    });

    it("lands in the app signed in from a partner's login link (IdP-initiated)", async () => {
      explainFailure();
      await page.goto(link);
      await page.waitForURL(`${mellon.base}/`);
      expect(await shown()).toEqual({
        user: userId,
        "name-id": userId,
        email: "ada@example.com",
        name: "Ada Lovelace",
        phone: "+12025550143",
        partner: partnerId,
        "partner-data": JSON.stringify({ tier: "gold" }),
        amr: "link",
      });
      expect(userId).toMatch(/^usr_/);
      // No AuthnRequest: the Response came straight from the login link's redemption.
      expect(samlHops).toEqual([]);
    }, 60_000);

    it("signs in again from the Handoff session when the app asks (SP-initiated)", async () => {
      explainFailure();
      expect((await context.cookies(mellon.base)).map((c) => c.name)).toContain(MELLON_COOKIE);
      await context.clearCookies({ name: MELLON_COOKIE });
      await page.goto(`${mellon.base}/`);
      await page.waitForURL(`${mellon.base}/`);
      expect(await shown()).toMatchObject({
        user: userId,
        email: "ada@example.com",
        partner: partnerId,
      });
      // mellon sent a (signed) AuthnRequest by HTTP-Redirect; Handoff answered it from its session.
      expect(samlHops).toHaveLength(1);
      expect(samlHops[0]).toMatch(
        new RegExp(`^GET ${base}/saml/sso\\?SAMLRequest=.*&SigAlg=.*&Signature=.* → 200$`),
      );
    }, 60_000);

    it("signs out of mellon and Handoff together (single logout)", async () => {
      explainFailure();
      samlHops.length = 0;
      await page.goto(
        `${mellon.base}/mellon/logout?ReturnTo=${encodeURIComponent("/signed-out/")}`,
      );
      await page.waitForURL(`${mellon.base}/signed-out/`);
      expect(await page.textContent("h1")).toBe("You are signed out of the portal");
      expect(samlHops).toHaveLength(1);
      expect(samlHops[0]).toMatch(
        new RegExp(`^GET ${base}/saml/slo\\?SAMLRequest=.*&Signature=.* → 302$`),
      );
      const sessions = await domainsOf(app)
        .database.read.selectFrom("sessions")
        .select("end_reason")
        .execute();
      expect(sessions).toEqual([{ end_reason: "logout" }]);
      expect((await context.cookies(mellon.base)).map((c) => c.name)).not.toContain(MELLON_COOKIE);
      // The app asks Handoff again, which has no session for the person any more.
      await page.goto(`${mellon.base}/`);
      await page.waitForURL(new RegExp(`^${base}/saml/sso\\?`));
      expect(await page.textContent("h1")).toBe("Open this app from your partner's site");
    }, 60_000);
  },
);
