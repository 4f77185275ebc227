// A SAML service provider for the tests: @node-saml/node-saml (not samlify, which Handoff uses as
// the IdP), which checks a Response's signatures, Audience, Destination, InResponseTo and times.
import { SAML, type SamlConfig, ValidateInResponseTo } from "@node-saml/node-saml";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { generate } from "selfsigned";
import { expect } from "vitest";
import type { DialectName } from "../../src/db/database.js";
import { domainsOf, type TestApp, testApp } from "./app.js";
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "./sso.js";

export interface SpKeys {
  privateKey: string;
  certificate: string;
}

export async function spKeys(): Promise<SpKeys> {
  const made = await generate([{ name: "commonName", value: "test-sp" }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
  });
  return { privateKey: made.private, certificate: made.cert };
}

/** The IdP's signing certificates, read from its metadata. */
export async function idpCertificates(app: FastifyInstance): Promise<string[]> {
  const metadata = (await app.inject({ method: "GET", url: "/saml/metadata" })).body;
  return [...metadata.matchAll(/<(?:ds:)?X509Certificate>([^<]+)</g)].map(
    (m) =>
      `-----BEGIN CERTIFICATE-----\n${m[1]
        ?.replace(/\s+/g, "")
        .match(/.{1,64}/g)
        ?.join("\n")}\n-----END CERTIFICATE-----`,
  );
}

export const SP = {
  entityId: "https://sp.example.com/saml",
  acs: "https://sp.example.com/saml/acs",
  slo: "https://sp.example.com/saml/logout",
};

/** node-saml as the SP registered with `SP`'s URLs, signing its requests when given keys. */
export function nodeSaml(
  base: string,
  idpCert: string[],
  keys: SpKeys | null,
  overrides: Partial<SamlConfig> = {},
): SAML {
  return new SAML({
    entryPoint: `${base}/saml/sso`,
    logoutUrl: `${base}/saml/slo`,
    issuer: SP.entityId,
    callbackUrl: SP.acs,
    logoutCallbackUrl: SP.slo,
    audience: SP.entityId,
    idpCert,
    idpIssuer: `${base}/saml/metadata`,
    ...(keys ? { privateKey: keys.privateKey, publicCert: keys.certificate } : {}),
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    identifierFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    acceptedClockSkewMs: 5000,
    ...overrides,
  });
}

/** The hidden fields and action of the auto-posting page Handoff answers with. */
export function postedForm(html: string): { action: string; fields: Record<string, string> } {
  const named: Record<string, string> = { quot: '"', apos: "'", lt: "<", gt: ">", amp: "&" };
  const decode = (s: string) =>
    s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) =>
      /^#x/i.test(ref)
        ? String.fromCodePoint(Number.parseInt(ref.slice(2), 16))
        : ref.startsWith("#")
          ? String.fromCodePoint(Number(ref.slice(1)))
          : (named[ref] ?? whole),
    );
  const action = decode(/<form id="continue" method="post" action="([^"]*)"/.exec(html)?.[1] ?? "");
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)) {
    fields[decode(m[1] as string)] = decode(m[2] as string);
  }
  return { action, fields };
}

export const BASE = "http://127.0.0.1:8080";

export interface SamlSetup {
  t: TestApp;
  f: SsoFixture;
  appId: string;
  /** A login link for the SAML app, redeemed: the auto-posting page and the session cookie. */
  signIn(user?: Record<string, unknown>): Promise<{ page: string; cookie: string }>;
  /** A GET of an SP's URL at Handoff (path and query), with the session cookie if given. */
  get(url: URL, cookie?: string): Promise<LightMyRequestResponse>;
  /** An HTTP-POST AuthnRequest form (`SAMLRequest`, `RelayState`) to /saml/sso, with the cookie. */
  post(fields: Record<string, string>, cookie: string): Promise<LightMyRequestResponse>;
}

/** The fields of node-saml's HTTP-POST AuthnRequest form (its instance must use that binding). */
export async function authnRequestFields(
  sp: SAML,
  relayState = "",
): Promise<Record<string, string>> {
  return postedForm(await sp.getAuthorizeFormAsync(relayState)).fields;
}

/** An app on `dialect` with a partner and a SAML app registered as `SP` (signing with `keys`). */
export async function samlSetup(dialect: DialectName, keys: SpKeys): Promise<SamlSetup> {
  const t = await testApp(dialect, { baseUrl: BASE });
  // The SP library reads the real clock: so does the IdP here.
  t.clock.set(Date.now());
  const f = await ssoFixture(t.app);
  const app = await domainsOf(t.app).apps.create({
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
  return {
    t,
    f,
    appId: app.id,
    async signIn(user = { id: "u1", email: "ada@example.com", name: "Ada" }) {
      const minted = await mint(t.app, f, { user, app: app.id });
      const redeemed = await t.app.inject({
        method: "POST",
        url: `/login/${minted.ticket}`,
        headers: {
          "sec-fetch-site": "same-origin",
          "content-type": "application/x-www-form-urlencoded",
        },
        payload: "",
      });
      expect(redeemed.statusCode).toBe(200);
      return { page: redeemed.body, cookie: sessionCookie(redeemed) };
    },
    post: (fields, cookie) =>
      t.app.inject({
        method: "POST",
        url: "/saml/sso",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        cookies: { handoff_session: cookie },
        payload: new URLSearchParams(fields).toString(),
      }),
    get: (url, cookie) =>
      t.app.inject({
        method: "GET",
        url: `${url.pathname}${url.search}`,
        ...(cookie ? { cookies: { handoff_session: cookie } } : {}),
      }),
  };
}
