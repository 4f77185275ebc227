// Front-channel SAML single logout (issue 28) with a service provider Handoff shares no code with:
// Debian's python3-onelogin-saml2 (on xmlsec1), strict and wanting every message signed, driven by
// test/saml/onelogin-slo.py, in one sign-in group with the Portal (node-saml), on every dialect.
// The person signs in to the Portal from a login link and to the python SP from its own signed
// AuthnRequest; then signs out at Handoff. python3-saml's process_slo() takes Handoff's signed
// LogoutRequest (signature, Destination, Issuer, times) naming the NameID and SessionIndex it was
// given, drops its session and answers with a signed LogoutResponse, which moves Handoff's chain
// on to the Portal and then to the signed-out page; with one byte of its signature changed, the
// answer is refused.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Profile, ValidateInResponseTo } from "@node-saml/node-saml";
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, type TestApp } from "../helpers/app.js";
import {
  BASE,
  idpCertificates,
  nodeSaml,
  postedForm,
  type SamlSetup,
  SP,
  type SpKeys,
  samlSetup,
  spKeys,
} from "../helpers/saml.js";

/** Debian's python3 with python3-onelogin-saml2, not a virtualenv's; in CI (.ci/run) it is. */
const PYTHON = "/usr/bin/python3";
const hasOnelogin =
  (existsSync(PYTHON) &&
    spawnSync(PYTHON, ["-c", "import onelogin.saml2.auth, xmlsec"]).status === 0) ||
  process.env.CI !== undefined;

/** The python SP's site; its endpoints are `/?acs` and `/?sls`, as python3-saml's demos have. */
const PY = "https://reports.example.com";

let portalKeys: SpKeys;
let pyKeys: SpKeys;
beforeAll(async () => {
  [portalKeys, pyKeys] = await Promise.all([spKeys(), spKeys()]);
});

/** What onelogin-slo.py answers: a URL to send the browser to, or why it refused. */
interface PythonAnswer {
  url?: string;
  request_id?: string;
  name_id?: string;
  session_index?: string;
  session_indexes?: string[];
  session_dropped?: boolean;
  errors?: string[];
  reason?: string | null;
}

/** A browser at Handoff: its navigations, sending back the cookies Handoff set. */
class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly t: TestApp) {}

  /** A navigation as Chromium sends it; `form` posts those fields from a Handoff page. */
  async navigate(
    url: string,
    form: Record<string, string> | null = null,
    site: "same-origin" | "cross-site" = "same-origin",
  ): Promise<LightMyRequestResponse> {
    const target = new URL(url, BASE);
    const response = await this.t.app.inject({
      method: form ? "POST" : "GET",
      url: `${target.pathname}${target.search}`,
      headers: {
        "sec-fetch-site": site,
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      // Handoff's cookies are SameSite=Lax: sent on a top-level GET from another site.
      cookies: Object.fromEntries(this.cookies),
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of response.cookies) {
      const expires = (cookie as { expires?: Date }).expires;
      if (cookie.value === "" || (expires && expires.getTime() <= Date.now())) {
        this.cookies.delete(cookie.name);
      } else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
}

/** The link Handoff's page follows at once (`#continue`), as the browser reads it. */
function followedLink(page: string): string {
  const href = /<a id="continue" href="([^"]*)"/.exec(page)?.[1] ?? "";
  return href.replaceAll("&amp;", "&");
}

/** `url` with one byte of its query's Signature changed, the rest as sent. */
function tamperedSignature(url: string): string {
  return url.replace(/([?&]Signature=)([^&]+)/, (_whole, key: string, value: string) => {
    const bytes = Buffer.from(decodeURIComponent(value), "base64");
    bytes[10] = (bytes[10] as number) ^ 0x01;
    return `${key}${encodeURIComponent(bytes.toString("base64"))}`;
  });
}

describe.each(dialects)(
  "python3-onelogin-saml2 in the front-channel logout chain on %s",
  (dialect) => {
    let t: TestApp;
    let setup: SamlSetup;
    let idpCertificate: string;

    beforeEach(async () => {
      setup = await samlSetup(dialect, portalKeys);
      t = setup.t;
      const apps = domainsOf(t.app).apps;
      await apps.update(setup.appId, { signInGroup: "suite" });
      await apps.create({
        name: "Reports",
        baseUrl: PY,
        signInGroup: "suite",
        saml: {
          entityId: `${PY}/metadata/`,
          acsUrls: [`${PY}/?acs`],
          nameIdFormat: "persistent",
          // Its certificate: Handoff takes only signed requests and answers from it.
          certificate: pyKeys.certificate,
          sloUrl: `${PY}/?sls`,
        },
      });
      [idpCertificate] = (await idpCertificates(t.app)) as [string];
    });
    afterEach(async () => {
      await t.app.close();
    });

    /** python3-saml as the SP at PY, one step of onelogin-slo.py. */
    function python(
      step: "login" | "acs" | "sls",
      given: Record<string, unknown> = {},
    ): PythonAnswer {
      const script = new URL("./onelogin-slo.py", import.meta.url);
      const input = {
        step,
        sp_base: PY,
        sp_certificate: pyKeys.certificate,
        sp_private_key: pyKeys.privateKey,
        idp_base: BASE,
        idp_certificate: idpCertificate,
        ...given,
      };
      const ran = spawnSync(PYTHON, [script.pathname], { input: JSON.stringify(input) });
      if (ran.status !== 0) throw new Error(`onelogin-slo.py: ${ran.stderr.toString()}`);
      return JSON.parse(ran.stdout.toString());
    }

    /**
     * Signed in to the Portal from a login link, then to the python SP from its AuthnRequest, in
     * one Handoff session; then signed out at Handoff, from a Handoff page's form. Handoff's page
     * sends the browser on to the python SP (signed in last): the URL of its LogoutRequest.
     */
    async function signedInThenOut() {
      const browser = new Browser(t);
      const { page, cookie } = await setup.signIn();
      browser.cookies.set("handoff_session", cookie);
      const portal = nodeSaml(BASE, [idpCertificate], portalKeys, {
        validateInResponseTo: ValidateInResponseTo.never,
      });
      const portalProfile = (await portal.validatePostResponseAsync(postedForm(page).fields))
        .profile as Profile;

      t.clock.advance(1000); // the python SP is the more recent sign-in: it is told first
      const login = python("login");
      expect(login.url?.startsWith(`${BASE}/saml/sso?SAMLRequest=`)).toBe(true);
      const answered = await browser.navigate(login.url as string, null, "cross-site");
      expect(answered.statusCode, answered.body).toBe(200);
      const form = postedForm(answered.body);
      expect(form.action).toBe(`${PY}/?acs`);
      const signedIn = python("acs", {
        url: form.action,
        post_data: form.fields,
        request_id: login.request_id,
      });
      expect(signedIn.errors).toBeUndefined();
      expect(signedIn.name_id).toMatch(/^usr_/);
      expect(signedIn.session_index).toBeTruthy();

      const out = await browser.navigate("/logout", {});
      expect(out.statusCode, out.body).toBe(200);
      expect(browser.cookies.has("handoff_session")).toBe(false);
      expect(browser.cookies.has("handoff_slo")).toBe(true);
      const toPython = followedLink(out.body);
      expect(toPython.startsWith(`${PY}/?sls&SAMLRequest=`)).toBe(true);
      expect(new URL(toPython).searchParams.get("Signature")).toBeTruthy();
      return { browser, portal, portalProfile, signedIn, toPython };
    }

    it.skipIf(!hasOnelogin)(
      "is told through the browser, and its signed LogoutResponse moves the chain on to the end",
      async () => {
        const { browser, portal, portalProfile, signedIn, toPython } = await signedInThenOut();
        const sls = python("sls", { url: toPython });
        // python3-saml took the LogoutRequest: signed by the IdP, naming whom and which session it
        // was given at sign-in; it dropped its session and answers with a signed LogoutResponse.
        expect(sls.errors).toBeUndefined();
        expect(sls.session_dropped).toBe(true);
        expect(sls.name_id).toBe(signedIn.name_id);
        expect(sls.session_indexes).toEqual([signedIn.session_index]);
        const answer = new URL(sls.url as string);
        expect(`${answer.origin}${answer.pathname}`).toBe(`${BASE}/saml/slo`);
        expect(answer.searchParams.get("SAMLResponse")).toBeTruthy();
        expect(answer.searchParams.get("Signature")).toBeTruthy();

        // Its answer comes back from its site: Handoff takes it and goes on to the Portal.
        const back = await browser.navigate(sls.url as string, null, "cross-site");
        expect(back.statusCode, back.body).toBe(302);
        const toPortal = new URL(back.headers.location as string);
        expect(`${toPortal.origin}${toPortal.pathname}`).toBe(SP.slo);
        const { profile } = await portal.validateRedirectAsync(
          Object.fromEntries(toPortal.searchParams),
          toPortal.search.slice(1),
        );
        expect(profile?.sessionIndex).toBe(portalProfile.sessionIndex);
        const portalAnswer = await portal.getLogoutResponseUrlAsync(
          profile as Profile,
          "",
          {},
          true,
        );
        const done = await browser.navigate(portalAnswer, null, "cross-site");
        expect(done.statusCode).toBe(200);
        expect(done.body).toContain("You are signed out");
        expect(done.body).not.toContain("may still be signed in");
        expect(browser.cookies.has("handoff_slo")).toBe(false);
      },
    );

    it.skipIf(!hasOnelogin)(
      "refuses python3-saml's LogoutResponse with one byte of its signature changed (400)",
      async () => {
        const { browser, toPython } = await signedInThenOut();
        const sls = python("sls", { url: toPython });
        expect(sls.errors).toBeUndefined();
        const chain = browser.cookies.get("handoff_slo");
        const forged = await browser.navigate(
          tamperedSignature(sls.url as string),
          null,
          "cross-site",
        );
        expect(forged.statusCode).toBe(400);
        expect(forged.body).toContain("This sign-out answer was refused");
        expect(forged.body).toContain("signature or schema is not valid");
        expect(forged.headers.location).toBeUndefined();
        expect(browser.cookies.get("handoff_slo")).toBe(chain);
        // The answer as python3-saml signed it still moves the chain on.
        const back = await browser.navigate(sls.url as string, null, "cross-site");
        expect(back.statusCode, back.body).toBe(302);
        expect(back.headers.location).toContain(SP.slo);
      },
    );

    it.skipIf(!hasOnelogin)(
      "is refused by python3-saml when the LogoutRequest's signature is changed",
      async () => {
        const { toPython } = await signedInThenOut();
        const refused = python("sls", { url: tamperedSignature(toPython) });
        expect(refused.errors).toContain("invalid_logout_request_signature");
        expect(refused.url).toBeUndefined();
      },
    );
  },
);
