// OIDC Front-Channel Logout 1.0, and RP-initiated logout running the browser's logout chain
// (issue 28), on every dialect: a client registered with a front-channel logout URI signs a
// person in (login link, code flow with openid-client); when a browser logout ends the session
// (POST /logout, RP-initiated logout, a SAML app's LogoutRequest), Handoff answers a page whose
// hidden iframe loads that URI with `iss` and `sid`, its CSP framing that origin only; a client
// with a back-channel URI is told that way only. RP-initiated logout goes through the SAML apps
// (node-saml as the SP) before landing on the registered post-logout URI with its `state`; a
// tampered or forged chain cookie never redirects anywhere.
import type { Profile, SAML } from "@node-saml/node-saml";
import { ValidateInResponseTo } from "@node-saml/node-saml";
import * as client from "openid-client";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf } from "../helpers/app.js";
import { PASSWORD, signInConsole } from "../helpers/console.js";
import { CookieJar } from "../helpers/jar.js";
import {
  authorize,
  formOf,
  type OidcFixture,
  oidcFixture,
  REDIRECT,
  RP,
  relyingParty,
  signIn,
  submit,
} from "../helpers/oidc.js";
import { idpCertificates, nodeSaml, postedForm, SP, type SpKeys, spKeys } from "../helpers/saml.js";

const FRONT = `${RP}/frontchannel-logout`;
const OTHER = "https://other.example";
const SIGNED_OUT = `${RP}/signed-out`;

let keys: SpKeys;
beforeAll(async () => {
  keys = await spKeys();
});

/** The `src` of each iframe on a page, unescaped. */
function iframes(page: string): string[] {
  return [...page.matchAll(/<iframe [^>]*src="([^"]*)"/g)].map((m) =>
    (m[1] as string).replace(/&amp;/g, "&"),
  );
}

/** The CSP's `frame-src` sources, or null when the page frames nothing. */
function frameSources(response: Response): string[] | null {
  const csp = response.headers.get("content-security-policy") ?? "";
  const directive = csp.split(";").find((d) => d.trim().startsWith("frame-src "));
  return directive ? directive.trim().split(/\s+/).slice(1) : null;
}

describe.each(dialects)("OIDC front-channel logout (%s)", (dialect) => {
  let f: OidcFixture;
  let otherRp: client.Configuration;

  beforeEach(async () => {
    f = await oidcFixture(dialect);
    const { apps } = domainsOf(f.t.app);
    await apps.update(f.fixture.appId, { signInGroup: "suite", frontchannelLogoutUri: FRONT });
    // Registered for both: told by back channel only.
    const other = await apps.create({
      name: "Other",
      baseUrl: OTHER,
      redirectUris: [`${OTHER}/callback`],
      signInGroup: "suite",
      backchannelLogoutUri: `${OTHER}/backchannel-logout`,
      frontchannelLogoutUri: `${OTHER}/frontchannel-logout`,
    });
    otherRp = await relyingParty(f.base, other.id, await apps.rotateSecret(other.id));
  });
  afterEach(async () => f.t.app.close());

  async function codeGrant(jar: CookieJar, rp: client.Configuration, redirect = REDIRECT) {
    const { landed, verifier, state } = await authorize(f, jar, { redirect_uri: redirect }, rp);
    return client.authorizationCodeGrant(rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  /** A person signs in through a login link, then to the shop and the other app by OIDC. */
  async function signedIn() {
    const jar = await signIn(f, new CookieJar());
    const shop = await codeGrant(jar, f.rp);
    const other = await codeGrant(jar, otherRp, `${OTHER}/callback`);
    return { jar, shop, other };
  }

  /** The Portal, a SAML SP of the group (node-saml), signed in to with the same session. */
  async function portalSignedIn(jar: CookieJar): Promise<{ sp: SAML; profile: Profile }> {
    await domainsOf(f.t.app).apps.create({
      name: "Portal",
      baseUrl: "https://sp.example.com",
      signInGroup: "suite",
      saml: {
        entityId: SP.entityId,
        acsUrls: [SP.acs],
        nameIdFormat: "persistent",
        certificate: keys.certificate,
        sloUrl: SP.slo,
      },
    });
    const sp = nodeSaml(f.base, await idpCertificates(f.t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const answered = await jar.fetch(await sp.getAuthorizeUrlAsync("", undefined, {}));
    expect(answered.status).toBe(200);
    const { profile } = await sp.validatePostResponseAsync(
      postedForm(await answered.text()).fields,
    );
    return { sp, profile: profile as Profile };
  }

  /** The SP receives Handoff's signed LogoutRequest at `location` and answers it, signed. */
  async function portalAnswers(sp: SAML, location: string | null): Promise<string> {
    const url = new URL(location ?? "");
    expect(`${url.origin}${url.pathname}`).toBe(SP.slo);
    const { profile } = await sp.validateRedirectAsync(
      Object.fromEntries(url.searchParams),
      url.search.slice(1),
    );
    return sp.getLogoutResponseUrlAsync(profile as Profile, "", {}, true);
  }

  const sessionEnded = async () =>
    (await f.t.database.read.selectFrom("sessions").select("ended_at").executeTakeFirstOrThrow())
      .ended_at !== null;

  /** The front-channel iframe the shop must get: its URI, the issuer and the ID token's sid. */
  const shopFrame = (sid: unknown) =>
    `${FRONT}?iss=${encodeURIComponent(`${f.base}/oidc`)}&sid=${encodeURIComponent(String(sid))}`;

  it("advertises front-channel logout, with sid, in discovery", async () => {
    const discovery = await (await fetch(`${f.base}/oidc/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
    });
  });

  it("frames the shop's front-channel URI with iss and sid at /logout, and not the back-channel app", async () => {
    const { jar, shop } = await signedIn();
    const sid = shop.claims()?.sid;
    expect(sid).toEqual(expect.any(String));
    const out = await jar.fetch(`${f.base}/logout`, { method: "POST" });
    expect(out.status).toBe(200);
    expect(await sessionEnded()).toBe(true);
    const page = await out.text();
    expect(iframes(page)).toEqual([shopFrame(sid)]);
    // Hidden, and sandboxed: the framed page runs with its own cookies but cannot move this one.
    expect(page).toMatch(/<iframe hidden sandbox="allow-same-origin allow-scripts" /);
    expect(page).not.toContain("other.example");
    expect(frameSources(out)).toEqual([RP]);
    expect(out.headers.get("cache-control")).toBe("no-store");
    expect(jar.get("handoff_slo")).toEqual(expect.any(String));
    // The page posts itself on (its script, or the button): no one else to tell, so signed out.
    const form = formOf(page, f.base);
    expect(form.action).toBe(`${f.base}/logout/continue`);
    const done = await submit(jar, page, f.base);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("You are signed out");
    expect(frameSources(done)).toBeNull();
    expect(jar.get("handoff_slo")).toBeUndefined();
  });

  it("goes on without ending a session signed in while the front-channel page waited", async () => {
    const { jar } = await signedIn();
    const page = await (await jar.fetch(`${f.base}/logout`, { method: "POST" })).text();
    expect(iframes(page)).toHaveLength(1);
    // Signed in again (another tab) before the page posted itself on.
    await signIn(f, jar);
    const done = await submit(jar, page, f.base);
    expect(await done.text()).toContain("You are signed out");
    const sessions = await f.t.database.read
      .selectFrom("sessions")
      .select("ended_at")
      .orderBy("created_at")
      .execute();
    expect(sessions.map((row) => row.ended_at === null)).toEqual([false, true]);
  });

  it("frames no one for a client that signed in without a front-channel URI, or an ended session", async () => {
    await domainsOf(f.t.app).apps.update(f.fixture.appId, { frontchannelLogoutUri: null });
    const { jar } = await signedIn();
    const out = await jar.fetch(`${f.base}/logout`, { method: "POST" });
    expect(out.status).toBe(200);
    const page = await out.text();
    expect(page).toContain("You are signed out");
    expect(iframes(page)).toEqual([]);
    expect(frameSources(out)).toBeNull();
    const again = await jar.fetch(`${f.base}/logout`, { method: "POST" });
    expect(iframes(await again.text())).toEqual([]);
  });

  it("runs RP-initiated logout through the front channel and the SAML app, then lands on the post-logout URI with its state", async () => {
    const { jar, shop } = await signedIn();
    const { sp } = await portalSignedIn(jar);
    const end = client.buildEndSessionUrl(f.rp, {
      id_token_hint: shop.id_token as string,
      post_logout_redirect_uri: SIGNED_OUT,
      state: "s-42",
    });
    const confirm = await jar.fetch(end.href);
    expect(confirm.status).toBe(200);
    // The confirmation (posted by the page's script: the hint proves who signs out) ends the
    // session; instead of oidc-provider's redirect, the front-channel page.
    const confirmed = await submit(jar, await confirm.text(), f.base);
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get("location")).toBeNull();
    expect(await sessionEnded()).toBe(true);
    const page = await confirmed.text();
    expect(iframes(page)).toEqual([shopFrame(shop.claims()?.sid)]);
    expect(frameSources(confirmed)).toEqual([RP]);
    expect(jar.get("handoff_slo")).toEqual(expect.any(String));
    // On to the Portal: a signed LogoutRequest, whose answer ends the chain at the shop.
    const toPortal = await submit(jar, page, f.base);
    expect(toPortal.status).toBe(302);
    const back = await jar.fetch(await portalAnswers(sp, toPortal.headers.get("location")));
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe(`${SIGNED_OUT}?state=s-42`);
    expect(jar.get("handoff_slo")).toBeUndefined();
  });

  it("ends RP-initiated logout without a post-logout URI on the signed-out page, after the iframe", async () => {
    const { jar, shop } = await signedIn();
    const end = client.buildEndSessionUrl(f.rp, { id_token_hint: shop.id_token as string });
    const confirmed = await submit(jar, await (await jar.fetch(end.href)).text(), f.base);
    expect(confirmed.status).toBe(200);
    const page = await confirmed.text();
    expect(iframes(page)).toEqual([shopFrame(shop.claims()?.sid)]);
    const done = await submit(jar, page, f.base);
    expect(done.status).toBe(200);
    expect(done.headers.get("location")).toBeNull();
    expect(await done.text()).toContain("You are signed out");
  });

  it("takes a SAML app's LogoutRequest through the front channel before answering it", async () => {
    const { jar, shop } = await signedIn();
    const { sp, profile } = await portalSignedIn(jar);
    const logout = await jar.fetch(await sp.getLogoutUrlAsync(profile, "bye", {}));
    expect(logout.status).toBe(200);
    expect(await sessionEnded()).toBe(true);
    const page = await logout.text();
    expect(iframes(page)).toEqual([shopFrame(shop.claims()?.sid)]);
    const answered = await submit(jar, page, f.base);
    expect(answered.status).toBe(302);
    const response = new URL(answered.headers.get("location") ?? "");
    expect(`${response.origin}${response.pathname}`).toBe(SP.slo);
    expect(response.searchParams.get("SAMLResponse")).toBeTruthy();
    expect(response.searchParams.get("RelayState")).toBe("bye");
  });

  it("never redirects from a tampered chain cookie, nor to a URI the client does not register", async () => {
    const { jar, shop } = await signedIn();
    const end = client.buildEndSessionUrl(f.rp, {
      id_token_hint: shop.id_token as string,
      post_logout_redirect_uri: SIGNED_OUT,
      state: "s-42",
    });
    const confirmed = await submit(jar, await (await jar.fetch(end.href)).text(), f.base);
    expect(confirmed.status).toBe(200);
    const sealed = jar.get("handoff_slo") as string;
    const tell = (cookie: string) =>
      fetch(`${f.base}/logout`, {
        method: "POST",
        headers: { cookie: `handoff_slo=${cookie}`, "sec-fetch-site": "same-origin" },
        redirect: "manual",
      });
    // One character changed: the seal fails, the chain is unknown, the signed-out page.
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    const tampered = await tell(flipped);
    expect(tampered.status).toBe(200);
    expect(tampered.headers.get("location")).toBeNull();
    expect(await tampered.text()).toContain("You are signed out");
    // A well-sealed chain (as with a leaked key) naming a URI the client never registered, or
    // another app's: the signed-out page, never a redirect.
    const { sealer } = domainsOf(f.t.app);
    for (const finish of [
      { kind: "redirect", app: f.fixture.appId, uri: "https://evil.example/", state: "x" },
      { kind: "redirect", app: "app_unknown", uri: SIGNED_OUT },
    ]) {
      const forged = sealer.seal(
        JSON.stringify({
          expiresAt: Date.now() + 60_000,
          frames: [],
          current: null,
          pending: [],
          unconfirmed: [],
          finish,
        }),
        "saml-front-channel-logout",
      );
      const answer = await tell(forged);
      expect(answer.status, finish.uri).toBe(200);
      expect(answer.headers.get("location")).toBeNull();
    }
    // The real chain goes where oidc-provider would have sent the person.
    const real = await tell(sealed);
    expect(real.status).toBe(303);
    expect(real.headers.get("location")).toBe(`${SIGNED_OUT}?state=s-42`);
  });

  it("accepts a front-channel URI only on a redirect URI's origin, over https (http on loopback)", async () => {
    const { apps } = domainsOf(f.t.app);
    for (const uri of [
      "https://elsewhere.example/logout",
      `${RP}:8443/logout`,
      "http://shop.example/logout",
      `${RP}/logout#top`,
      "https://user:pw@shop.example/logout",
      "javascript:alert(1)",
    ]) {
      await expect(
        apps.update(f.fixture.appId, { frontchannelLogoutUri: uri }),
        uri,
      ).rejects.toMatchObject({ code: "invalid_request" });
    }
    expect((await apps.get(f.fixture.appId)).oidc.frontchannelLogoutUri).toBe(FRONT);
    const local = await apps.create({
      name: "Local",
      baseUrl: "http://127.0.0.1:3001",
      redirectUris: ["http://127.0.0.1:3001/callback"],
      frontchannelLogoutUri: "http://127.0.0.1:3001/callback?logout=get",
    });
    expect(local.oidc.frontchannelLogoutUri).toBe("http://127.0.0.1:3001/callback?logout=get");
    // The management API sets, shows and removes it; the same checks apply.
    await domainsOf(f.t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(f.t.app, "ops@platform.example");
    const patch = (value: string | null) =>
      operator.call({
        method: "PATCH",
        url: `/v1/manage/apps/${local.id}`,
        payload: { oidc_frontchannel_logout_uri: value },
      });
    const refused = await patch("https://elsewhere.example/logout");
    expect(refused.statusCode).toBe(400);
    const moved = await patch("http://127.0.0.1:3001/logout");
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().oidc_frontchannel_logout_uri).toBe("http://127.0.0.1:3001/logout");
    expect((await patch(null)).json().oidc_frontchannel_logout_uri).toBeNull();
  });
});
