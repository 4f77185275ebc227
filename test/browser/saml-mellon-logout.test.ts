// SAML back-channel single logout with a real service provider: Debian's Apache with
// mod_auth_mellon 0.18 (Lasso), configured as docs/saml.md says, registered with its metadata
// offering a SOAP SingleLogoutService as mellon's own generated metadata does. Debian's Chromium
// signs a person in from a partner's login link; then the partner revokes the person's sessions
// through its API, with no browser involved: Handoff sends mellon a signed LogoutRequest by SOAP,
// mellon drops its session and answers Success, and the app's next page sends the person back to
// Handoff to sign in, which has no session for them any more.
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { App } from "../../src/apps/service.js";
import { testConfig } from "../../src/config.js";
import { samlSettingsFromMetadata } from "../../src/saml/settings.js";
import { loginUrl } from "../../src/tickets/service.js";
import { accessTokenFor, buildApp, domainsOf, makePartner } from "../helpers/app.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { MELLON_COOKIE, type Mellon, mellonAvailable, startMellon } from "../helpers/mellon.js";
import { freePort } from "../helpers/net.js";

/** mellon's metadata with the SOAP logout endpoint its generated metadata (0.18) publishes. */
function withSoapLogout(metadata: string, endpoint: string): string {
  const soap = `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${endpoint}/logout"/>`;
  return metadata.replace(/(\s*)<SingleLogoutService /, `$1${soap}$1<SingleLogoutService `);
}

describe.skipIf(!chromiumAvailable || !mellonAvailable)(
  "mod_auth_mellon told by SOAP when the partner revokes a session",
  () => {
    let app: FastifyInstance;
    let mellon: Mellon;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let registered: App;
    let userId: string;
    let bearer: string;
    let link: string;

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      // mellon listens on this machine: the outbound guard lets Handoff reach it there only.
      app = await buildApp(testConfig({ baseUrl: base, port, outboundAllow: ["127.0.0.1/32"] }));
      await app.listen({ port, host: "127.0.0.1" });
      mellon = await startMellon(base);
      registered = await domainsOf(app).apps.create({
        name: "Portal",
        baseUrl: mellon.base,
        saml: samlSettingsFromMetadata(withSoapLogout(mellon.spMetadata, soapEndpoint())),
      });
      const partner = await makePartner(app);
      bearer = await accessTokenFor(app, partner);
      const minted = await domainsOf(app).tickets.mint({
        partnerId: partner.partnerId,
        apiTokenId: partner.apiTokenId,
        user: { id: "u-1815", email: "ada@example.com", name: "Ada Lovelace" },
        appId: registered.id,
        returnTo: "/",
        ip: "127.0.0.1",
      });
      userId = minted.userId;
      link = loginUrl(base, minted.ticket);
      browser = await launchChromium();
      context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
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

    /** mellon's endpoints under the app's own host name: mellon finds sessions by that name. */
    const soapEndpoint = () => `${mellon.base}/mellon`;

    const delivery = () =>
      domainsOf(app)
        .database.read.selectFrom("saml_logout_deliveries")
        .select(["state", "attempts", "last_status", "last_error"])
        .execute();

    it("registers mellon's SOAP logout endpoint from its metadata", () => {
      expect(registered.saml).toMatchObject({
        sloUrl: `${mellon.base}/mellon/logout`,
        sloSoapUrl: `${soapEndpoint()}/logout`,
      });
    });

    it("signs mellon out by SOAP after a revocation through the partner API", async () => {
      onTestFailed(() => {
        console.error(`--- the page at ${page.url()}`);
        console.error(mellon.logs());
      });
      await page.goto(link);
      await page.waitForURL(`${mellon.base}/`);
      await page.locator("#email").waitFor();
      expect(await page.textContent("#user")).toBe(userId);
      expect((await context.cookies(mellon.base)).map((c) => c.name)).toContain(MELLON_COOKIE);

      // The partner's backend ends the person's sessions: no browser takes part.
      const revoked = await app.inject({
        method: "POST",
        url: `/v1/users/${userId}/sessions/revoke`,
        headers: { authorization: `Bearer ${bearer}` },
      });
      expect(revoked.json()).toEqual({ ended: 1 });
      // The worker sends it within seconds; here its step also runs, until the delivery is done.
      const deadline = Date.now() + 20_000;
      let rows = await delivery();
      while (rows[0]?.state === "pending" && Date.now() < deadline) {
        await domainsOf(app).soapLogout.deliver(app.log);
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await delivery();
      }
      expect(rows).toEqual([
        { state: "delivered", attempts: 1, last_status: 200, last_error: null },
      ]);

      // mellon's cookie is still in the browser, but the session it named is gone: the app's next
      // page sends the person to Handoff to sign in, and Handoff has no session for them either.
      expect((await context.cookies(mellon.base)).map((c) => c.name)).toContain(MELLON_COOKIE);
      await page.goto(`${mellon.base}/`);
      await page.waitForURL(new RegExp(`^${base}/saml/sso\\?`));
      expect(await page.textContent("h1")).toBe("Open this app from your partner's site");
    }, 60_000);
  },
);
