// Front-channel SAML single logout (issue 28), with @node-saml/node-saml as two SPs of one sign-in
// group on every dialect: when the person signs out (POST /logout, or a LogoutRequest from one
// SP), every other SAML app their Handoff session signed in to gets a signed LogoutRequest
// through the browser, one after another, naming them as it was told at sign-in; each answer is
// checked before the browser moves on; an app that never answers traps no one; an app the session
// never signed in to is told nothing.
import { inflateRawSync } from "node:zlib";
import { type Profile, type SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { signSamlPost } from "@node-saml/node-saml/lib/saml-post-signing.js";
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHAIN_MS } from "../../src/saml/logout-chain.js";
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

const WIKI = {
  entityId: "https://wiki.example.com/saml",
  acs: "https://wiki.example.com/saml/acs",
  slo: "https://wiki.example.com/saml/logout",
};
const CRM = {
  entityId: "https://crm.example.com/saml",
  acs: "https://crm.example.com/saml/acs",
  slo: "https://crm.example.com/saml/logout",
};
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

let portalKeys: SpKeys;
let wikiKeys: SpKeys;
let crmKeys: SpKeys;
let strangerKeys: SpKeys;
beforeAll(async () => {
  [portalKeys, wikiKeys, crmKeys, strangerKeys] = await Promise.all([
    spKeys(),
    spKeys(),
    spKeys(),
    spKeys(),
  ]);
});

/** A browser at Handoff: sends back the cookies Handoff set, forgets those it cleared. */
class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly t: TestApp) {}

  /** A request; `form` posts those fields, `crossSite` as from another site's page (no cookie). */
  async send(
    method: "GET" | "POST",
    url: string,
    form: Record<string, string> = {},
    crossSite = false,
  ): Promise<LightMyRequestResponse> {
    const target = new URL(url, BASE);
    const response = await this.t.app.inject({
      method,
      url: `${target.pathname}${target.search}`,
      headers: {
        "sec-fetch-site": crossSite ? "cross-site" : "same-origin",
        ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      cookies: crossSite ? {} : Object.fromEntries(this.cookies),
      ...(method === "POST" ? { payload: new URLSearchParams(form).toString() } : {}),
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

/** The XML of a redirect binding's SAMLRequest or SAMLResponse. */
const inflated = (value: string) => inflateRawSync(Buffer.from(value, "base64")).toString("utf8");

describe.each(dialects)("SAML front-channel single logout on %s", (dialect) => {
  let t: TestApp;
  let setup: SamlSetup;

  beforeEach(async () => {
    setup = await samlSetup(dialect, portalKeys);
    t = setup.t;
    const apps = domainsOf(t.app).apps;
    await apps.update(setup.appId, { signInGroup: "suite" });
    for (const [name, sp, keys] of [
      ["Wiki", WIKI, wikiKeys],
      ["CRM", CRM, crmKeys],
    ] as const) {
      await apps.create({
        name,
        baseUrl: new URL(sp.acs).origin,
        signInGroup: "suite",
        saml: {
          entityId: sp.entityId,
          acsUrls: [sp.acs],
          nameIdFormat: "persistent",
          certificate: keys.certificate,
          sloUrl: sp.slo,
        },
      });
    }
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** node-saml as the Wiki, signing with `keys` (none: it signs nothing). */
  const wikiSp = (certs: string[], keys: SpKeys | null = wikiKeys) =>
    nodeSaml(BASE, certs, keys, {
      issuer: WIKI.entityId,
      callbackUrl: WIKI.acs,
      logoutCallbackUrl: WIKI.slo,
      audience: WIKI.entityId,
    });

  /** A login link for the Portal; with `wiki`, then a sign-in the Wiki asks for, in one session. */
  async function signedIn(wiki: boolean) {
    const browser = new Browser(t);
    const { page, cookie } = await setup.signIn();
    browser.cookies.set("handoff_session", cookie);
    const certs = await idpCertificates(t.app);
    const portal = nodeSaml(BASE, certs, portalKeys, {
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const portalProfile = (await portal.validatePostResponseAsync(postedForm(page).fields))
      .profile as Profile;
    const sp = wikiSp(certs);
    let wikiProfile: Profile | null = null;
    if (wiki) {
      t.clock.advance(1000); // the Wiki is the more recent sign-in: it is told first
      const answered = await browser.send("GET", await sp.getAuthorizeUrlAsync("", undefined, {}));
      expect(answered.statusCode).toBe(200);
      wikiProfile = (await sp.validatePostResponseAsync(postedForm(answered.body).fields))
        .profile as Profile;
    }
    return { browser, certs, portal, portalProfile, wiki: sp, wikiProfile };
  }

  /**
   * The SP at `sloUrl` receives the browser redirected to `location`: a LogoutRequest signed by
   * the IdP (checked with the metadata's certificates, and failing with another's), naming the
   * person and the session as the SP's sign-in did.
   */
  async function receives(
    sp: SAML,
    location: string | undefined,
    sloUrl: string,
    issued: Profile,
  ): Promise<Profile> {
    const url = new URL(location ?? "");
    expect(`${url.origin}${url.pathname}`).toBe(sloUrl);
    const query = Object.fromEntries(url.searchParams);
    expect(query.Signature).toBeTruthy();
    expect(query.SigAlg).toBe(RSA_SHA256);
    const xml = inflated(query.SAMLRequest as string);
    expect(xml).toContain(`Destination="${sloUrl}"`);
    expect(xml).toContain(`<saml:Issuer>${BASE}/saml/metadata</saml:Issuer>`);
    const { profile } = await sp.validateRedirectAsync(query, url.search.slice(1));
    expect(profile?.nameID).toBe(issued.nameID);
    expect(profile?.sessionIndex).toBe(issued.sessionIndex);
    expect(profile?.sessionIndex).toBeTruthy();
    const stranger = nodeSaml(BASE, [strangerKeys.certificate], null);
    await expect(stranger.validateRedirectAsync(query, url.search.slice(1))).rejects.toThrow();
    return profile as Profile;
  }

  /** The SP's signed LogoutResponse, by HTTP-Redirect to Handoff's /saml/slo. */
  const answer = (sp: SAML, request: Profile, relayState = "") =>
    sp.getLogoutResponseUrlAsync(request, relayState, {}, true);

  const sessionEnded = async () =>
    (await t.database.read.selectFrom("sessions").select("ended_at").executeTakeFirstOrThrow())
      .ended_at !== null;

  it("tells the Wiki, then the Portal, on POST /logout, and ends at the signed-out page", async () => {
    const { browser, portal, portalProfile, wiki, wikiProfile } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    expect(out.statusCode).toBe(302);
    expect(await sessionEnded()).toBe(true);
    expect(browser.cookies.has("handoff_session")).toBe(false);
    expect(browser.cookies.has("handoff_slo")).toBe(true);
    const toWiki = await receives(wiki, out.headers.location, WIKI.slo, wikiProfile as Profile);
    const back = await browser.send("GET", await answer(wiki, toWiki));
    expect(back.statusCode, back.body).toBe(302);
    const toPortal = await receives(portal, back.headers.location, SP.slo, portalProfile);
    const done = await browser.send("GET", await answer(portal, toPortal));
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are signed out");
    expect(done.body).not.toContain("may still be signed in");
    expect(browser.cookies.has("handoff_slo")).toBe(false);
    // The CRM, in the group but never signed in to, was sent nothing: the chain went Wiki, Portal.
    expect(`${out.headers.location}${back.headers.location}`).not.toContain("crm.example.com");
  });

  it("posts the LogoutRequest to an SP whose metadata offers only HTTP-POST logout", async () => {
    const apps = domainsOf(t.app).apps;
    const wikiApp = (await apps.list()).find((app) => app.name === "Wiki");
    if (!wikiApp?.saml) throw new Error("no Wiki");
    await apps.update(wikiApp.id, { saml: { ...wikiApp.saml, sloBinding: "post" } });
    const { browser, portal, portalProfile, wiki, wikiProfile } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    expect(out.statusCode).toBe(200);
    const form = postedForm(out.body);
    expect(form.action).toBe(WIKI.slo);
    const xml = Buffer.from(form.fields.SAMLRequest as string, "base64").toString("utf8");
    expect(xml).toContain(`Destination="${WIKI.slo}"`);
    expect(xml).toContain("<ds:Signature");
    // The enveloped signature checks with the IdP's certificates, and not with another's.
    const checked = await wiki.validatePostRequestAsync(form.fields as Record<string, string>);
    expect(checked.profile?.nameID).toBe(wikiProfile?.nameID);
    expect(checked.profile?.sessionIndex).toBe(wikiProfile?.sessionIndex);
    const stranger = nodeSaml(BASE, [strangerKeys.certificate], null);
    await expect(
      stranger.validatePostRequestAsync(form.fields as Record<string, string>),
    ).rejects.toThrow();
    // Its answer moves the chain on to the Portal, by redirect as before.
    const back = await browser.send("GET", await answer(wiki, checked.profile as Profile));
    expect(back.statusCode, back.body).toBe(302);
    await receives(portal, back.headers.location, SP.slo, portalProfile);
  });

  it("tells the Wiki, then answers the Portal's own LogoutRequest (InResponseTo it)", async () => {
    const { browser, certs, portalProfile, wiki, wikiProfile } = await signedIn(true);
    // The Portal's SP instance checks InResponseTo against the requests it sent.
    const portal = nodeSaml(BASE, certs, portalKeys);
    const logout = new URL(await portal.getLogoutUrlAsync(portalProfile, "bye", {}));
    const requestId = /ID="([^"]+)"/.exec(
      inflated(logout.searchParams.get("SAMLRequest") as string),
    )?.[1];
    const first = await browser.send("GET", logout.href);
    expect(first.statusCode, first.body).toBe(302);
    expect(await sessionEnded()).toBe(true);
    const toWiki = await receives(wiki, first.headers.location, WIKI.slo, wikiProfile as Profile);
    const back = await browser.send("GET", await answer(wiki, toWiki));
    expect(back.statusCode).toBe(302);
    const toPortal = new URL(back.headers.location as string);
    expect(`${toPortal.origin}${toPortal.pathname}`).toBe(SP.slo);
    expect(toPortal.searchParams.get("RelayState")).toBe("bye");
    expect(toPortal.searchParams.get("Signature")).toBeTruthy();
    const checked = await portal.validateRedirectAsync(
      Object.fromEntries(toPortal.searchParams),
      toPortal.search.slice(1),
    );
    expect(checked.loggedOut).toBe(true);
    const xml = inflated(toPortal.searchParams.get("SAMLResponse") as string);
    expect(xml).toContain(`InResponseTo="${requestId}"`);
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:status:Success");
    expect(browser.cookies.has("handoff_slo")).toBe(false);
  });

  it("tells the Wiki, then posts the Portal's answer when its LogoutRequest came by HTTP-POST", async () => {
    const { browser, certs, portalProfile, wiki, wikiProfile } = await signedIn(true);
    const portal = nodeSaml(BASE, certs, portalKeys);
    const xml = signSamlPost(
      await portal._generateLogoutRequest(portalProfile),
      '/*[local-name(.)="LogoutRequest"]',
      {
        privateKey: portalKeys.privateKey,
        signatureAlgorithm: "sha256",
        digestAlgorithm: "sha256",
      },
    );
    const first = await browser.send("POST", "/saml/slo", {
      SAMLRequest: Buffer.from(xml).toString("base64"),
      RelayState: "bye",
    });
    expect(first.statusCode, first.body).toBe(302);
    const toWiki = await receives(wiki, first.headers.location, WIKI.slo, wikiProfile as Profile);
    const back = await browser.send("GET", await answer(wiki, toWiki));
    expect(back.statusCode).toBe(200);
    const form = postedForm(back.body);
    expect(form.action).toBe(SP.slo);
    expect(form.fields.RelayState).toBe("bye");
    const response = Buffer.from(form.fields.SAMLResponse as string, "base64").toString("utf8");
    expect(response).toContain(`InResponseTo="${/ID="([^"]+)"/.exec(xml)?.[1]}"`);
    const checked = await nodeSaml(BASE, certs, portalKeys, {
      validateInResponseTo: ValidateInResponseTo.never,
    }).validatePostResponseAsync(form.fields as { SAMLResponse: string });
    expect(checked.loggedOut).toBe(true);
  });

  it("refuses a forged, unsigned or misdirected LogoutResponse; the session stays ended", async () => {
    const { browser, certs, portal, wiki, wikiProfile } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    const toWiki = await receives(wiki, out.headers.location, WIKI.slo, wikiProfile as Profile);
    const chain = browser.cookies.get("handoff_slo");
    const refused = async (url: string, reason: string) => {
      const response = await browser.send("GET", url);
      expect(response.statusCode, reason).toBe(400);
      expect(response.body).toContain(reason);
      expect(response.headers.location).toBeUndefined();
      expect(browser.cookies.get("handoff_slo")).toBe(chain);
      expect(await sessionEnded()).toBe(true);
    };
    await refused(await answer(wikiSp(certs, null), toWiki), "must be signed");
    await refused(
      await answer(wikiSp(certs, strangerKeys), toWiki),
      "signature or schema is not valid",
    );
    await refused(await answer(wiki, { ...toWiki, ID: "_another" }), "answers another request");
    await refused(await answer(portal, toWiki), "not from the service provider asked");
    // The ended session opens nothing.
    const reopen = await browser.send("GET", await wiki.getAuthorizeUrlAsync("", undefined, {}));
    expect(reopen.statusCode).toBe(401);
    // The Wiki's real answer moves the chain on to the Portal.
    const back = await browser.send("GET", await answer(wiki, toWiki));
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toContain(SP.slo);
  });

  it("takes a LogoutResponse by HTTP-POST, posted again from Handoff's own page", async () => {
    const { browser, wiki, wikiProfile } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    const toWiki = await receives(wiki, out.headers.location, WIKI.slo, wikiProfile as Profile);
    const signed = (keys: SpKeys) =>
      signSamlPost(
        wiki._generateLogoutResponse(toWiki, true),
        '/*[local-name(.)="LogoutResponse"]',
        { privateKey: keys.privateKey, signatureAlgorithm: "sha256", digestAlgorithm: "sha256" },
      );
    const fields = { SAMLResponse: Buffer.from(signed(wikiKeys)).toString("base64") };
    // The Wiki's page posts across sites, without the Lax cookie: Handoff's page posts it again.
    const first = await browser.send("POST", "/saml/slo", fields, true);
    expect(first.statusCode).toBe(200);
    const again = postedForm(first.body);
    expect(again).toEqual({ action: `${BASE}/saml/slo`, fields });
    // Signed by another key, it is refused; signed by the Wiki's, the chain goes on.
    const forged = { SAMLResponse: Buffer.from(signed(strangerKeys)).toString("base64") };
    expect((await browser.send("POST", "/saml/slo", forged)).statusCode).toBe(400);
    const back = await browser.send("POST", "/saml/slo", again.fields);
    expect(back.statusCode, back.body).toBe(302);
    expect(back.headers.location).toContain(SP.slo);
  });

  it("goes on past an app that answers it could not sign the person out, and names it", async () => {
    const { browser, portal, portalProfile, wiki, wikiProfile } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    const toWiki = await receives(wiki, out.headers.location, WIKI.slo, wikiProfile as Profile);
    const failed = await wiki.getLogoutResponseUrlAsync(toWiki, "", {}, false);
    const back = await browser.send("GET", failed);
    expect(back.statusCode).toBe(302);
    const toPortal = await receives(portal, back.headers.location, SP.slo, portalProfile);
    const done = await browser.send("GET", await answer(portal, toPortal));
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("may still be signed in");
    expect(done.body).toContain("<li>Wiki</li>");
    expect(done.body).not.toContain("<li>Portal</li>");
  });

  it("traps no one when an app never answers: the chain expires and names the apps", async () => {
    const { browser, wiki } = await signedIn(true);
    const out = await browser.send("POST", "/logout");
    expect(out.headers.location).toContain(WIKI.slo);
    // The person comes back and signs out again while the chain runs: the Wiki is passed over.
    const again = await browser.send("POST", "/logout");
    expect(again.statusCode).toBe(302);
    expect(again.headers.location).toContain(SP.slo);
    // The Portal never answers either. Long after, its late answer ends the chain with a page.
    t.clock.advance(CHAIN_MS + 1000);
    const late = await browser.send("GET", "/saml/slo?SAMLResponse=late");
    expect(late.statusCode).toBe(200);
    expect(late.body).toContain("may still be signed in");
    expect(late.body).toContain("<li>Wiki</li>");
    expect(late.body).toContain("<li>Portal</li>");
    expect(browser.cookies.has("handoff_slo")).toBe(false);
    // And /logout still works; a LogoutResponse nobody waits for is a 400 page, never a 500.
    const after = await browser.send("POST", "/logout");
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain("You are signed out");
    const stray = await browser.send("GET", await answer(wiki, { ID: "_stray" } as Profile));
    expect(stray.statusCode).toBe(400);
    expect(stray.body).toContain("not waiting");
  });

  it("gives up at once after the chain expired, when the person signs out again", async () => {
    const { browser } = await signedIn(true);
    expect((await browser.send("POST", "/logout")).statusCode).toBe(302);
    t.clock.advance(CHAIN_MS + 1000);
    const after = await browser.send("POST", "/logout");
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain("<li>Wiki</li>");
    expect(after.body).toContain("<li>Portal</li>");
    expect(browser.cookies.has("handoff_slo")).toBe(false);
  });

  it("tells only the apps the session signed in to", async () => {
    const { browser, portal, portalProfile } = await signedIn(false);
    const out = await browser.send("POST", "/logout");
    expect(out.statusCode).toBe(302);
    // The Portal alone: the Wiki and the CRM, in the group, never had a sign-in from it.
    const toPortal = await receives(portal, out.headers.location, SP.slo, portalProfile);
    const done = await browser.send("GET", await answer(portal, toPortal));
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are signed out");
    const rows = await t.database.read
      .selectFrom("saml_sessions")
      .select(["app_id", "name_id", "session_index"])
      .execute();
    expect(rows).toEqual([
      {
        app_id: setup.appId,
        name_id: portalProfile.nameID,
        session_index: portalProfile.sessionIndex,
      },
    ]);
    // Signing in to the Portal from its own LogoutRequest alone answers at once, as before.
    const { browser: second, portalProfile: profile } = await signedIn(false);
    const sp = nodeSaml(BASE, await idpCertificates(t.app), portalKeys);
    const answered = await second.send("GET", await sp.getLogoutUrlAsync(profile, "", {}));
    expect(answered.statusCode).toBe(302);
    expect(answered.headers.location).toContain(SP.slo);
    expect(answered.headers.location).toContain("SAMLResponse=");
  });
});
