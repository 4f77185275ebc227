// SAML front-channel single logout with real service providers: two Debian Apaches with
// mod_auth_mellon 0.18 (Lasso), configured as docs/saml.md says, registered with metadata that
// offers no SOAP logout endpoint (as people register mellon 0.19+, which mishandles SOAP logout),
// both in one sign-in group. Debian's Chromium signs a person in to the Portal from a partner's
// login link and to the Wiki from the live Handoff session; then the person signs out at Handoff
// (POST /logout from a Handoff page). The browser is sent to each mellon's /mellon/logout with a
// signed LogoutRequest, most recent sign-in first; each mellon drops its session and answers with
// a signed LogoutResponse to /saml/slo, which moves the chain on; the last lands on the plain
// signed-out page, and each app's next page sends the person back to Handoff to sign in.
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
  "mod_auth_mellon told through the browser when the person signs out at Handoff",
  () => {
    let app: FastifyInstance;
    let portal: Mellon;
    let wiki: Mellon;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let base: string;
    let link: string;
    let userId: string;
    const registered: App[] = [];
    /** Every request the browser made to Handoff or to a mellon endpoint, and its status. */
    const hops: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      app = await buildApp(testConfig({ baseUrl: base, port }));
      await app.listen({ port, host: "127.0.0.1" });
      // Two hosts, as two apps of a suite have: both mellons name their cookie `mellon-cookie`,
      // and cookies do not tell ports apart.
      portal = await startMellon(base);
      wiki = await startMellon(base, "wiki.localhost");
      for (const [name, sp] of [
        ["Portal", portal],
        ["Wiki", wiki],
      ] as const) {
        registered.push(
          await domainsOf(app).apps.create({
            name,
            baseUrl: sp.base,
            signInGroup: "suite",
            saml: samlSettingsFromMetadata(sp.spMetadata),
          }),
        );
      }
      const partner = await makePartner(app);
      const minted = await domainsOf(app).tickets.mint({
        partnerId: partner.partnerId,
        apiTokenId: partner.apiTokenId,
        user: { id: "u-1815", email: "ada@example.com", name: "Ada Lovelace" },
        appId: registered[0]?.id as string,
        returnTo: "/",
        ip: "127.0.0.1",
      });
      userId = minted.userId;
      link = loginUrl(base, minted.ticket);
      browser = await launchChromium();
      context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      page = await context.newPage();
      page.on("response", (response) => {
        const url = new URL(response.url());
        if (url.origin === base || url.pathname.startsWith("/mellon/")) {
          hops.push(
            `${response.request().method()} ${url.origin}${url.pathname} → ${response.status()}`,
          );
        }
      });
    }, 60_000);

    afterAll(async () => {
      // Both Apaches are stopped whatever else fails.
      try {
        await browser?.close();
      } finally {
        try {
          await Promise.all([portal?.stop(), wiki?.stop()]);
        } finally {
          await app?.close();
        }
      }
    });

    /** On failure: the browser's path, and what each Apache and mellon logged. */
    function explainFailure(): void {
      onTestFailed(() => {
        console.error(`--- the browser's requests\n${hops.join("\n")}`);
        console.error(`--- the page at ${page.url()}`);
        console.error(`--- Portal\n${portal.logs()}\n--- Wiki\n${wiki.logs()}`);
      });
    }

    const mellonCookies = async (sp: Mellon) =>
      (await context.cookies(sp.base)).filter((c) => c.name === MELLON_COOKIE);

    it("registers both mellons without a SOAP logout URL: they are told through the browser", () => {
      for (const [app, sp] of [
        [registered[0], portal],
        [registered[1], wiki],
      ] as const) {
        expect(app?.saml).toMatchObject({
          sloUrl: `${sp.base}/mellon/logout`,
          sloBinding: "redirect",
        });
        expect(app?.saml?.sloSoapUrl ?? null).toBeNull();
      }
    });

    it("signs in to the Portal from a login link, then to the Wiki from the Handoff session", async () => {
      explainFailure();
      await page.goto(link);
      await page.waitForURL(`${portal.base}/`);
      await page.locator("#email").waitFor();
      expect(await page.textContent("#user")).toBe(userId);
      await page.goto(`${wiki.base}/`);
      await page.waitForURL(`${wiki.base}/`);
      await page.locator("#email").waitFor();
      expect(await page.textContent("#user")).toBe(userId);
      expect(await mellonCookies(portal)).toHaveLength(1);
      expect(await mellonCookies(wiki)).toHaveLength(1);
      const rows = await domainsOf(app)
        .database.read.selectFrom("saml_sessions")
        .select("app_id")
        .orderBy("signed_in_at")
        .execute();
      expect(rows.map((r) => r.app_id)).toEqual(registered.map((r) => r.id));
    }, 60_000);

    it("signs out of the Wiki, then the Portal, through the browser, and lands signed out", async () => {
      explainFailure();
      // A Handoff page's sign-out button: a form posting to /logout from Handoff's own origin.
      await page.goto(`${base}/healthz`);
      hops.length = 0;
      await page.evaluate(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/logout";
        document.body.append(form);
        form.submit();
      });
      await page.waitForURL(`${base}/saml/slo?**`);
      await page.locator("h1").waitFor();
      expect(await page.textContent("h1")).toBe("You are signed out");
      expect(await page.content()).not.toContain("may still be signed in");

      // Handoff → the Wiki's mellon (signed in last) → Handoff → the Portal's → Handoff. The form's
      // POST is answered by a page that sends the browser on: Chromium would hold a redirect to
      // the posting page's CSP form-action ('self') and never leave Handoff.
      const path = hops.filter((hop) => !hop.includes("/favicon.ico"));
      expect(path).toEqual([
        `POST ${base}/logout → 200`,
        `GET ${wiki.base}/mellon/logout → 303`,
        `GET ${base}/saml/slo → 302`,
        `GET ${portal.base}/mellon/logout → 303`,
        `GET ${base}/saml/slo → 200`,
      ]);
      const sessions = await domainsOf(app)
        .database.read.selectFrom("sessions")
        .select("end_reason")
        .execute();
      expect(sessions).toEqual([{ end_reason: "logout" }]);
      expect((await context.cookies(base)).map((c) => c.name)).not.toContain("handoff_slo");

      // Each mellon dropped its session: its next page sends the person to Handoff to sign in,
      // and Handoff has no session for them either.
      for (const sp of [portal, wiki]) {
        await page.goto(`${sp.base}/`);
        await page.waitForURL(new RegExp(`^${base}/saml/sso\\?`));
        expect(await page.textContent("h1")).toBe("Open this app from your partner's site");
      }
    }, 60_000);
  },
);
