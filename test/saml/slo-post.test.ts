// SAML single logout by HTTP-POST (issue 28), with @node-saml/node-saml as the SP on every
// dialect: a signed, posted LogoutRequest ends the person's Handoff session and is answered with
// a signed LogoutResponse the browser posts back to the SP's logout URL; an unsigned, forged or
// altered one is refused and ends nothing; the IdP metadata offers both bindings.
import { type Profile, ValidateInResponseTo } from "@node-saml/node-saml";
import { signSamlPost } from "@node-saml/node-saml/lib/saml-post-signing.js";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, type TestApp } from "../helpers/app.js";
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

const LOGOUT_REQUEST =
  '/*[local-name(.)="LogoutRequest" and namespace-uri(.)="urn:oasis:names:tc:SAML:2.0:protocol"]';

let keys: SpKeys;
let strangerKeys: SpKeys;
beforeAll(async () => {
  [keys, strangerKeys] = await Promise.all([spKeys(), spKeys()]);
});

describe.each(dialects)("SAML single logout by HTTP-POST on %s", (dialect) => {
  let t: TestApp;
  let signIn: SamlSetup["signIn"];

  beforeEach(async () => {
    ({ t, signIn } = await samlSetup(dialect, keys));
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** The person signs in (IdP-initiated); the SP reads who and which session from the Response. */
  async function signedIn() {
    const { page, cookie } = await signIn();
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const { profile } = await sp.validatePostResponseAsync(postedForm(page).fields);
    if (!profile) throw new Error("no profile");
    return { cookie, profile };
  }

  /** node-saml's LogoutRequest XML, signed by `signer` with an enveloped RSA-SHA256 signature. */
  async function logoutRequest(profile: Profile, signer: SpKeys | null) {
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys);
    const xml = await sp._generateLogoutRequest(profile);
    const message = signer
      ? signSamlPost(xml, LOGOUT_REQUEST, {
          privateKey: signer.privateKey,
          signatureAlgorithm: "sha256",
          digestAlgorithm: "sha256",
        })
      : xml;
    return { message };
  }

  const postLogout = (message: string, cookie: string, relayState = "bye") =>
    t.app.inject({
      method: "POST",
      url: "/saml/slo",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      cookies: { handoff_session: cookie },
      payload: new URLSearchParams({
        SAMLRequest: Buffer.from(message).toString("base64"),
        RelayState: relayState,
      }).toString(),
    });

  const sessionEnded = async () =>
    (await t.database.read.selectFrom("sessions").select("ended_at").executeTakeFirstOrThrow())
      .ended_at !== null;

  it("ends the session on a signed POSTed LogoutRequest and posts a signed LogoutResponse back", async () => {
    const { cookie, profile } = await signedIn();
    const { message } = await logoutRequest(profile, keys);
    expect(message).toContain("SignatureValue");
    const answer = await postLogout(message, cookie);
    expect(answer.statusCode, /Handoff cannot accept: ([^<]*)/.exec(answer.body)?.[1]).toBe(200);
    // A page that posts itself to the SP's logout URL, allowed there by its CSP, and no cookie.
    const form = postedForm(answer.body);
    expect(form.action).toBe(SP.slo);
    expect(form.fields.RelayState).toBe("bye");
    expect(answer.headers["content-security-policy"]).toContain(
      `form-action 'self' ${new URL(SP.slo).origin}`,
    );
    expect(String(answer.headers["set-cookie"])).toMatch(/handoff_session=;/);
    // The SP checks the response's signature (node-saml reads InResponseTo from a Response
    // only, so that check is made here: it answers the request).
    const checked = await nodeSaml(BASE, await idpCertificates(t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
    }).validatePostResponseAsync(form.fields as { SAMLResponse: string });
    expect(checked.loggedOut).toBe(true);
    const xml = Buffer.from(form.fields.SAMLResponse as string, "base64").toString("utf8");
    const requestId = /ID="([^"]+)"/.exec(message)?.[1];
    expect(xml).toMatch(
      /^<samlp:LogoutResponse [^>]*Destination="https:\/\/sp\.example\.com\/saml\/logout"/,
    );
    expect(xml).toContain(`InResponseTo="${requestId}"`);
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:status:Success");
    expect(await sessionEnded()).toBe(true);
    // The same request again is a replay.
    const again = await postLogout(message, cookie);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain("already used");
  });

  it("posts a cross-site LogoutRequest again from its own page, so the Lax cookie comes with it", async () => {
    const { cookie, profile } = await signedIn();
    const { message } = await logoutRequest(profile, keys);
    const fields = { SAMLRequest: Buffer.from(message).toString("base64"), RelayState: "bye" };
    // As a browser sends the SP's form: across sites, without Handoff's SameSite=Lax cookie.
    const first = await t.app.inject({
      method: "POST",
      url: "/saml/slo",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "cross-site",
      },
      payload: new URLSearchParams(fields).toString(),
    });
    expect(first.statusCode).toBe(200);
    const again = postedForm(first.body);
    expect(again).toEqual({ action: `${BASE}/saml/slo`, fields });
    expect(await sessionEnded()).toBe(false);
    // The page posts it from Handoff's origin: the cookie comes, the session ends.
    const second = await t.app.inject({
      method: "POST",
      url: "/saml/slo",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      cookies: { handoff_session: cookie },
      payload: new URLSearchParams(again.fields).toString(),
    });
    expect(second.statusCode).toBe(200);
    expect(postedForm(second.body).action).toBe(SP.slo);
    expect(await sessionEnded()).toBe(true);
  });

  it("refuses an unsigned, forged or altered POSTed LogoutRequest, and the session lives on", async () => {
    const { cookie, profile } = await signedIn();
    const refused = async (message: string, reason: string) => {
      const answer = await postLogout(message, cookie);
      expect(answer.statusCode, reason).toBe(400);
      expect(answer.body).toContain(reason);
      expect(answer.body).not.toContain("SAMLResponse");
      expect(answer.headers["set-cookie"]).toBeUndefined();
      expect(await sessionEnded()).toBe(false);
    };
    await refused((await logoutRequest(profile, null)).message, "must be signed");
    await refused(
      (await logoutRequest(profile, strangerKeys)).message,
      "signature or schema is not valid",
    );
    const altered = (await logoutRequest(profile, keys)).message.replace(
      profile.nameID,
      "usr_someone_else",
    );
    await refused(altered, "signature or schema is not valid");
    // A signed request wrapped in another (samlify #634) is refused before verification.
    const legit = (await logoutRequest(profile, keys)).message;
    const signature = /<(\w+:)?Signature[\s\S]*<\/(\w+:)?Signature>/.exec(legit)?.[0] ?? "";
    const inner = legit.replace(signature, "").replace(/^<\?xml[^>]*>/, "");
    const wrapped = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_attacker" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${BASE}/saml/slo"><saml:Issuer>${SP.entityId}</saml:Issuer>${signature}<samlp:Extensions><x:wrap xmlns:x="urn:evil">${inner}</x:wrap></samlp:Extensions><saml:NameID>${profile.nameID}</saml:NameID></samlp:LogoutRequest>`;
    await refused(wrapped, "signature does not cover the request");
    // Still signed in: the live session opens the app.
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys);
    const url = new URL(await sp.getAuthorizeUrlAsync("", undefined, {}));
    const answered = await t.app.inject({
      method: "GET",
      url: `${url.pathname}${url.search}`,
      cookies: { handoff_session: cookie },
    });
    expect(answered.statusCode).toBe(200);
  });

  it("offers single logout by HTTP-Redirect and HTTP-POST in its metadata", async () => {
    const metadata = (await t.app.inject({ method: "GET", url: "/saml/metadata" })).body;
    for (const binding of ["HTTP-Redirect", "HTTP-POST"]) {
      expect(metadata).toMatch(
        new RegExp(
          `SingleLogoutService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}"[^>]*Location="${BASE}/saml/slo"`,
        ),
      );
    }
  });
});
