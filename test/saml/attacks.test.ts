// The SAML requests Handoff must refuse, and the Responses' own safety (SECURITY row 47), with
// @node-saml/node-saml as the SP on every dialect: unknown SPs, unsigned and SHA-1 requests, a
// foreign ACS, stale requests, a DTD, a signed request wrapped in another (samlify #634), another
// audience, and values that must stay text.
import { deflateRawSync } from "node:zlib";
import { ValidateInResponseTo } from "@node-saml/node-saml";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, type TestApp } from "../helpers/app.js";
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

let keys: SpKeys;
beforeAll(async () => {
  keys = await spKeys();
});

describe.each(dialects)("SAML requests refused on %s", (dialect) => {
  let t: TestApp;
  let appId: string;
  let signIn: SamlSetup["signIn"];
  let get: SamlSetup["get"];
  let post: SamlSetup["post"];

  beforeEach(async () => {
    ({ t, appId, signIn, get, post } = await samlSetup(dialect, keys));
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("refuses requests from unknown SPs, unsigned or SHA-1 requests, a foreign ACS, a stale request, a DTD", async () => {
    const { cookie } = await signIn();
    const certs = await idpCertificates(t.app);
    const expectRefused = async (url: URL, reason: string) => {
      const answer = await get(url, cookie);
      expect(answer.statusCode, reason).toBe(400);
      expect(answer.body).toContain(reason);
      expect(answer.body).not.toContain("SAMLResponse");
    };
    const unsigned = nodeSaml(BASE, certs, null);
    await expectRefused(
      new URL(await unsigned.getAuthorizeUrlAsync("", undefined, {})),
      "must be signed",
    );
    const sha1 = nodeSaml(BASE, certs, keys, { signatureAlgorithm: "sha1" });
    await expectRefused(new URL(await sha1.getAuthorizeUrlAsync("", undefined, {})), "RSA-SHA256");
    const stranger = nodeSaml(BASE, certs, keys, { issuer: "https://stranger.example/saml" });
    await expectRefused(
      new URL(await stranger.getAuthorizeUrlAsync("", undefined, {})),
      "not a registered service provider",
    );
    const elsewhere = nodeSaml(BASE, certs, keys, { callbackUrl: "https://evil.example/acs" });
    await expectRefused(
      new URL(await elsewhere.getAuthorizeUrlAsync("", undefined, {})),
      "ACS URL is not one",
    );
    const sp = nodeSaml(BASE, certs, keys);
    const stale = new URL(await sp.getAuthorizeUrlAsync("", undefined, {}));
    t.clock.advance(6 * 60_000);
    await expectRefused(stale, "too old");
    t.clock.advance(-6 * 60_000);
    // An XML external entity: refused before any parser reads it.
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer>&x;</saml:Issuer></samlp:AuthnRequest>`;
    const url = new URL(`${BASE}/saml/sso`);
    url.searchParams.set("SAMLRequest", deflateRawSync(xxe).toString("base64"));
    await expectRefused(url, "DTD");
  });

  it("refuses a signed POST request wrapped in another (samlify #634)", async () => {
    const { cookie } = await signIn();
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      authnRequestBinding: "HTTP-POST",
      skipRequestCompression: true,
    });
    const fields = await authnRequestFields(sp);
    const legit = Buffer.from(fields.SAMLRequest as string, "base64").toString("utf8");
    const signature = /<(\w+:)?Signature[\s\S]*<\/(\w+:)?Signature>/.exec(legit)?.[0] ?? "";
    expect(signature, legit.slice(0, 400)).not.toBe("");
    const inner = legit.replace(signature, "").replace(/^<\?xml[^>]*>/, "");
    const wrapped = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_attacker" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${BASE}/saml/sso" AssertionConsumerServiceURL="${SP.acs}"><saml:Issuer>${SP.entityId}</saml:Issuer>${signature}<samlp:Extensions><x:wrap xmlns:x="urn:evil">${inner}</x:wrap></samlp:Extensions></samlp:AuthnRequest>`;
    const answer = await post({ SAMLRequest: Buffer.from(wrapped).toString("base64") }, cookie);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain("signature does not cover the request");
  });

  it("signs Responses for this SP only: another audience's validation fails", async () => {
    const { cookie } = await signIn();
    const certs = await idpCertificates(t.app);
    const sp = nodeSaml(BASE, certs, keys);
    const answered = await get(new URL(await sp.getAuthorizeUrlAsync("", undefined, {})), cookie);
    const fields = postedForm(answered.body).fields;
    const xml = Buffer.from(fields.SAMLResponse as string, "base64").toString("utf8");
    expect(xml).toContain("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    const other = nodeSaml(BASE, certs, keys, {
      audience: "https://other.example/saml",
      validateInResponseTo: ValidateInResponseTo.never,
    });
    await expect(other.validatePostResponseAsync(fields)).rejects.toThrow(/audience/i);
  });

  it("keeps values whole: a $ pattern in an attribute is text, and SHA-1 POST requests are refused", async () => {
    const name = "Price $$5 $' $& $`";
    const { page, cookie } = await signIn({ id: "u-dollar", email: "ada@example.com", name });
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
    });
    expect((await sp.validatePostResponseAsync(postedForm(page).fields)).profile?.name).toBe(name);
    const sha1 = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      authnRequestBinding: "HTTP-POST",
      skipRequestCompression: true,
      signatureAlgorithm: "sha1",
      digestAlgorithm: "sha1",
    });
    const answer = await post(await authnRequestFields(sha1), cookie);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain("RSA-SHA256");
  });

  it("keeps an email NameID whole: a comment in it is text, never markup", async () => {
    await domainsOf(t.app).apps.update(appId, {
      saml: {
        entityId: SP.entityId,
        acsUrls: [SP.acs],
        nameIdFormat: "email",
        certificate: keys.certificate,
        sloUrl: SP.slo,
      },
    });
    const email = "victim@example.com<!---->.evil.example";
    const { page } = await signIn({ id: "u-comment", email });
    const sp = nodeSaml(BASE, await idpCertificates(t.app), keys, {
      validateInResponseTo: ValidateInResponseTo.never,
      identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    });
    const { profile } = await sp.validatePostResponseAsync(postedForm(page).fields);
    expect(profile?.nameID).toBe(email);
  });
});
