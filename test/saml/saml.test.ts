// Handoff as a SAML identity provider, driven by an SP library Handoff does not use itself
// (@node-saml/node-saml), on every dialect: IdP-initiated through a login link, SP-initiated by
// HTTP-Redirect and HTTP-POST, single logout, key rotation, sign-in groups and registration (the
// requests it must refuse are in attacks.test.ts).
import { ValidateInResponseTo } from "@node-saml/node-saml";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, pruneNow, type TestApp } from "../helpers/app.js";
import { PASSWORD, signInConsole } from "../helpers/console.js";
import {
  authnRequestFields,
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
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

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
  let signIn: SamlSetup["signIn"];
  let get: SamlSetup["get"];
  let post: SamlSetup["post"];

  beforeEach(async () => {
    ({ t, f, appId, signIn, get, post } = await samlSetup(dialect, keys));
  });
  afterEach(async () => {
    await t.app.close();
  });

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
    // Its id is kept as long as a replay could pass the IssueInstant check, then pruned.
    t.clock.advance(11 * 60_000);
    const pruned = await pruneNow(t.app, {
      ticketRetentionDays: 7,
      auditRetentionDays: 90,
    });
    expect(pruned.saml).toBe(1);
  });

  it("answers an AuthnRequest by HTTP-POST, and logs out by HTTP-Redirect, ending the session", async () => {
    const { cookie } = await signIn();
    const certs = await idpCertificates(t.app);
    const sp = nodeSaml(BASE, certs, keys, {
      authnRequestBinding: "HTTP-POST",
      skipRequestCompression: true,
    });
    const answered = await post(await authnRequestFields(sp, "r1"), cookie);
    expect(answered.statusCode, /Handoff cannot accept: ([^<]*)/.exec(answered.body)?.[1]).toBe(
      200,
    );
    const { profile } = await sp.validatePostResponseAsync(postedForm(answered.body).fields);
    if (!profile) throw new Error("no profile");
    // The SP's LogoutRequest (signed, HTTP-Redirect) ends the Handoff session and comes back signed.
    // (node-saml sends its logout by HTTP-Redirect, deflated, from an instance that deflates.)
    const redirecting = nodeSaml(BASE, certs, keys);
    const logout = new URL(await redirecting.getLogoutUrlAsync(profile, "bye", {}));
    const done = await get(logout, cookie);
    expect(done.statusCode, /Handoff cannot accept: ([^<]*)/.exec(done.body)?.[1]).toBe(302);
    const back = new URL(done.headers.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(SP.slo);
    const checked = await redirecting.validateRedirectAsync(
      Object.fromEntries(back.searchParams),
      back.search.slice(1),
    );
    expect(checked.loggedOut).toBe(true);
    const session = await t.database.read
      .selectFrom("sessions")
      .select(["ended_at", "end_reason"])
      .executeTakeFirstOrThrow();
    expect(session.ended_at).not.toBeNull();
    // And the ended session opens nothing.
    const url = new URL(await redirecting.getAuthorizeUrlAsync("", undefined, {}));
    const refused = await get(url, cookie);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain("Open this app from your partner");
  });

  it("opens the apps of a sign-in group with one session, never an app outside it", async () => {
    const portal = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example.com",
      signInGroup: "suite",
    });
    await domainsOf(t.app).apps.update(appId, { signInGroup: "suite" });
    const minted = await mint(t.app, f, { user: { id: "u-group" }, app: portal.id });
    const redeemed = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: browser,
      payload: "",
    });
    const cookie = sessionCookie(redeemed);
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys);
    const inGroup = await get(new URL(await sp.getAuthorizeUrlAsync("", undefined, {})), cookie);
    expect(inGroup.statusCode).toBe(200);
    const { profile } = await sp.validatePostResponseAsync(postedForm(inGroup.body).fields);
    expect(profile?.nameID).toBe(minted.user_id);
    // Another partner's session in the same browser's place speaks for that partner's user only.
    const other = await ssoFixture(t.app, {}, "Other partner");
    const theirs = await mint(t.app, other, { user: { id: "u-group" }, app: portal.id });
    const switched = await t.app.inject({
      method: "POST",
      url: `/login/${theirs.ticket}`,
      headers: browser,
      payload: "",
    });
    const answered = await get(
      new URL(await sp.getAuthorizeUrlAsync("", undefined, {})),
      sessionCookie(switched),
    );
    const seen = (await sp.validatePostResponseAsync(postedForm(answered.body).fields)).profile;
    expect(seen?.nameID).toBe(theirs.user_id);
    expect(seen?.nameID).not.toBe(minted.user_id);
    expect(seen?.partner).toBe(other.partnerId);
    await domainsOf(t.app).apps.update(appId, { signInGroup: null });
    // The app's change reaches the cache through the change feed; a new request sees it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.clock.advance(3000);
    const outside = await get(new URL(await sp.getAuthorizeUrlAsync("", undefined, {})), cookie);
    expect(outside.statusCode).toBe(401);
  });

  it("registers an SP from its metadata through the management API, and publishes the IdP's", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    const metadata = nodeSaml(BASE, [], keys, {
      issuer: "https://wiki.example.com/saml",
      callbackUrl: "https://wiki.example.com/saml/acs",
    }).generateServiceProviderMetadata(null, keys.certificate);
    const created = await operator.call({
      method: "POST",
      url: "/v1/manage/apps",
      payload: {
        name: "Wiki",
        url: "https://wiki.example.com",
        saml_metadata: metadata,
        sign_in_group: "suite",
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().saml).toMatchObject({
      entity_id: "https://wiki.example.com/saml",
      acs_urls: ["https://wiki.example.com/saml/acs"],
      name_id_format: "persistent",
    });
    expect(created.json().saml.certificate).toContain("BEGIN CERTIFICATE");
    expect(created.json().sign_in_group).toBe("suite");
    // Another app may not take the same entity ID; bad settings are a 400, not a 500.
    const twice = await operator.call({
      method: "POST",
      url: "/v1/manage/apps",
      payload: { name: "Wiki 2", url: "https://wiki.example.com", saml_metadata: metadata },
    });
    expect(twice.statusCode).toBe(400);
    const broken = await operator.call({
      method: "POST",
      url: "/v1/manage/apps",
      payload: {
        name: "W3",
        url: "https://w3.example.com",
        saml: { entity_id: "x", acs_urls: ["ftp://x"] },
      },
    });
    expect(broken.statusCode).toBe(400);
    const idp = await t.app.inject({ method: "GET", url: "/saml/metadata" });
    expect(idp.headers["content-type"]).toContain("application/samlmetadata+xml");
    expect(idp.body).toContain(`entityID="${BASE}/saml/metadata"`);
    expect(idp.body).toContain(`Location="${BASE}/saml/sso"`);
  });

  it("publishes a rotated key at once and signs with it only after the publish days", async () => {
    const { cookie } = await signIn();
    const before = await idpCertificates(t.app);
    expect(before).toHaveLength(1);
    await domainsOf(t.app).saml.keys.rotate(7);
    const both = await idpCertificates(t.app);
    expect(both).toHaveLength(2);
    const signedBy = async (certs: string[]) => {
      const sp = nodeSaml(BASE, certs, keys);
      const answered = await get(new URL(await sp.getAuthorizeUrlAsync("", undefined, {})), cookie);
      return sp.validatePostResponseAsync(postedForm(answered.body).fields).then(
        () => true,
        () => false,
      );
    };
    expect(await signedBy(before)).toBe(true);
    t.clock.advance(7 * 86_400_000 + 60_001);
    const [, next] = both;
    f = await ssoFixture(t.app, {}, "Later partner"); // the first access token has long expired
    // A week on, by the IdP's clock: the login link's Response is signed by the new key (the SP
    // library's time checks are off here: they read the real clock).
    const later_ = await mint(t.app, f, { user: { id: "u-later" }, app: appId });
    const page = (
      await t.app.inject({
        method: "POST",
        url: `/login/${later_.ticket}`,
        headers: browser,
        payload: "",
      })
    ).body;
    const later = (certs: string[]) =>
      nodeSaml(BASE, certs, keys, {
        validateInResponseTo: ValidateInResponseTo.never,
        acceptedClockSkewMs: -1,
      }).validatePostResponseAsync(postedForm(page).fields);
    await later([next as string]);
    await expect(later(before)).rejects.toThrow();
  });
});
