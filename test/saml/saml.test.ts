// Handoff as a SAML identity provider, driven by an SP library Handoff does not use itself
// (@node-saml/node-saml), on every dialect: IdP-initiated through a login link, SP-initiated by
// HTTP-Redirect and HTTP-POST, single logout, and the requests it must refuse.
import { deflateRawSync } from "node:zlib";
import { ValidateInResponseTo } from "@node-saml/node-saml";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, type TestApp, testApp } from "../helpers/app.js";
import { idpCertificates, nodeSaml, postedForm, SP, type SpKeys, spKeys } from "../helpers/saml.js";
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

const BASE = "http://127.0.0.1:8080";
const browser = {
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
};

let keys: SpKeys;
beforeAll(async () => {
  keys = await spKeys();
});

describe.each(dialects)("SAML identity provider on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  let appId: string;

  beforeEach(async () => {
    t = await testApp(dialect, { baseUrl: BASE });
    // The SP library reads the real clock: so does the IdP here.
    t.clock.advance(Date.now() - t.clock.now());
    f = await ssoFixture(t.app);
    const app = await t.app.services.apps.create({
      name: "Portal",
      baseUrl: "https://sp.example.com",
      saml: {
        entityId: SP.entityId,
        acsUrls: [SP.acs],
        nameIdFormat: "persistent",
        certificate: keys.certificate,
        sloUrl: SP.slo,
      },
    });
    appId = app.id;
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** A login link for the SAML app, redeemed: the auto-posting page and the session cookie. */
  async function signIn(
    user: Record<string, unknown> = { id: "u1", email: "ada@example.com", name: "Ada" },
  ) {
    const minted = await mint(t.app, f, { user, app: appId });
    const redeemed = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: browser,
      payload: "",
    });
    expect(redeemed.statusCode).toBe(200);
    return { page: redeemed.body, cookie: sessionCookie(redeemed) };
  }

  it("posts a signed, unsolicited Response to the ACS when a login link is redeemed", async () => {
    const { page } = await signIn();
    const form = postedForm(page);
    expect(form.action).toBe(SP.acs);
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    expect(profile?.nameID).toMatch(/^usr_/);
    expect(profile?.email).toBe("ada@example.com");
    expect(profile?.partner).toBe(f.partnerId);
    expect(profile?.amr).toBe("link");
    expect(form.fields.RelayState).toBe("https://sp.example.com/");
  });

  it("answers an SP's AuthnRequest (HTTP-Redirect) from the live session, once", async () => {
    const { cookie } = await signIn();
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys);
    const url = new URL(await sp.getAuthorizeUrlAsync("back-to-page-7", undefined, {}));
    const answered = await t.app.inject({
      method: "GET",
      url: `${url.pathname}${url.search}`,
      cookies: { handoff_session: cookie },
    });
    expect(answered.statusCode).toBe(200);
    const form = postedForm(answered.body);
    expect(form.fields.RelayState).toBe("back-to-page-7");
    const { profile } = await sp.validatePostResponseAsync(form.fields);
    expect(profile?.nameID).toMatch(/^usr_/);
    // The same request again is a replay.
    const again = await t.app.inject({
      method: "GET",
      url: `${url.pathname}${url.search}`,
      cookies: { handoff_session: cookie },
    });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("already used");
  });
});
