// SAML back-channel single logout by SOAP (issue 28), on every dialect: a SAML app whose metadata
// offers a SOAP SingleLogoutService, here a real HTTP server on 127.0.0.1 that reads what it gets
// with @node-saml/node-saml, is sent one signed LogoutRequest server to server whenever a Handoff
// session it signed in to ends (a partner's revocation, a browser's /logout, a newer login link),
// naming the person and session as its sign-in did, and is never sent one through the browser as
// well. Its LogoutResponse is checked; an app that fails is tried again, then given up; two nodes
// on one PostgreSQL send each request once.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Profile, type SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { signSamlPost } from "@node-saml/node-saml/lib/saml-post-signing.js";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appJson } from "../../src/console/api/schemas.js";
import { samlSettingsFromMetadata } from "../../src/saml/settings.js";
import { SOAP_LOGOUT_RULES } from "../../src/saml/soap-logout.js";
import { buildApp, dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import {
  BASE,
  idpCertificates,
  nodeSaml,
  postedForm,
  type SpKeys,
  spKeys,
} from "../helpers/saml.js";
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
const PORTAL = {
  entityId: "https://portal.example.com/saml",
  acs: "https://portal.example.com/saml/acs",
  slo: "https://portal.example.com/saml/logout",
};
const WIKI = {
  entityId: "https://wiki.example.com/saml",
  acs: "https://wiki.example.com/saml/acs",
  slo: "https://wiki.example.com/saml/logout",
};

/** How the fake SP answers a LogoutRequest. */
type Answer = "signed" | "unsigned" | "forged" | "refused" | "fault" | "503";

interface Received {
  contentType: string | undefined;
  soapAction: string | undefined;
  /** The LogoutRequest, alone, as the SP read it from the envelope. */
  request: string;
  profile: Profile | null;
  answered: Answer;
}

/** The Portal's SOAP logout endpoint: keeps every call, answers as `answers` says (then "signed"). */
interface FakeSp {
  url: string;
  calls: Received[];
  answers: Answer[];
  /** What checks the IdP's signature: node-saml with the IdP's metadata certificates. */
  reader: SAML | null;
  delayMs: number;
  close(): Promise<void>;
}

let portalKeys: SpKeys;
let wikiKeys: SpKeys;
let strangerKeys: SpKeys;
let sp: FakeSp;

const envelope = (body: string) =>
  `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP_ENV}"><soap:Body>${body}</soap:Body></soap:Envelope>`;

/** The one element in a SOAP envelope's Body, serialised on its own. */
function bodyOf(xml: string): string {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  const body = document.getElementsByTagNameNS(SOAP_ENV, "Body")[0];
  const inside = Array.from(body?.childNodes ?? []).filter((n) => n.nodeType === 1);
  expect(inside).toHaveLength(1);
  return new XMLSerializer().serializeToString(inside[0] as Node);
}

async function startFakeSp(): Promise<FakeSp> {
  const fake: FakeSp = {
    url: "",
    calls: [],
    answers: [],
    reader: null,
    delayMs: 0,
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answered = fake.answers.shift() ?? "signed";
    const logoutRequest = bodyOf(Buffer.concat(chunks).toString("utf8"));
    let profile: Profile | null = null;
    try {
      profile = (
        await (fake.reader as SAML).validatePostRequestAsync({
          SAMLRequest: Buffer.from(logoutRequest).toString("base64"),
        })
      ).profile;
    } catch {
      profile = null;
    }
    fake.calls.push({
      contentType: request.headers["content-type"],
      soapAction: request.headers.soapaction as string | undefined,
      request: logoutRequest,
      profile,
      answered,
    });
    if (fake.delayMs) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    if (answered === "503" || !profile) return void response.writeHead(503).end();
    if (answered === "fault") {
      const fault = `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>no such session store</faultstring></soap:Fault>`;
      return void response.writeHead(500, { "content-type": "text/xml" }).end(envelope(fault));
    }
    const xml = (fake.reader as SAML)._generateLogoutResponse(profile, answered !== "refused");
    const keys = answered === "forged" ? strangerKeys : portalKeys;
    const signed =
      answered === "unsigned"
        ? xml
        : signSamlPost(xml, '/*[local-name(.)="LogoutResponse"]', {
            privateKey: keys.privateKey,
            signatureAlgorithm: "sha256",
            digestAlgorithm: "sha256",
          });
    response.writeHead(200, { "content-type": "text/xml" }).end(envelope(signed));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mellon/logout`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** The Portal's metadata, as mod_auth_mellon 0.18 writes it: SOAP and HTTP-Redirect logout. */
const portalMetadata = (soapUrl: string, certificate: string) => {
  const pem = certificate.replace(/-----[^-]+-----|\s+/g, "");
  return `<EntityDescriptor entityID="${PORTAL.entityId}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
 <SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
   <KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${pem}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
   <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="${soapUrl}" />
   <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${PORTAL.slo}" />
   <AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${PORTAL.acs}" />
 </SPSSODescriptor>
</EntityDescriptor>`;
};

beforeAll(async () => {
  [portalKeys, wikiKeys, strangerKeys] = await Promise.all([spKeys(), spKeys(), spKeys()]);
  sp = await startFakeSp();
});
afterAll(async () => sp.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects)("SAML SOAP logout on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  let portalId: string;
  let certs: string[];

  beforeEach(async () => {
    sp.calls.length = 0;
    sp.answers.length = 0;
    sp.delayMs = 0;
    t = await testApp(dialect, { baseUrl: BASE, outboundAllow: ["127.0.0.1/32"] });
    // node-saml reads the real clock: so does the IdP here.
    t.clock.set(Date.now());
    f = await ssoFixture(t.app);
    const { apps } = domainsOf(t.app);
    const portal = await apps.create({
      name: "Portal",
      baseUrl: "https://portal.example.com",
      signInGroup: "suite",
      saml: samlSettingsFromMetadata(portalMetadata(sp.url, portalKeys.certificate)),
    });
    portalId = portal.id;
    await apps.create({
      name: "Wiki",
      baseUrl: "https://wiki.example.com",
      signInGroup: "suite",
      saml: {
        entityId: WIKI.entityId,
        acsUrls: [WIKI.acs],
        nameIdFormat: "persistent",
        certificate: wikiKeys.certificate,
        sloUrl: WIKI.slo,
      },
    });
    certs = await idpCertificates(t.app);
    sp.reader = nodeSaml(BASE, certs, portalKeys, {
      issuer: PORTAL.entityId,
      callbackUrl: PORTAL.acs,
      logoutCallbackUrl: PORTAL.slo,
      audience: PORTAL.entityId,
      validateInResponseTo: ValidateInResponseTo.never,
    });
  });
  afterEach(async () => t.app.close());

  /** A login link for the Portal, redeemed: the session cookie, and what the Portal was told. */
  async function signedIn(
    user: Record<string, unknown> = { id: "u1", email: "ada@example.com" },
    /** The session cookie the browser already holds: the redemption replaces that session. */
    holding?: string,
  ) {
    const minted = await mint(t.app, f, { user, app: portalId });
    const redeemed = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: {
        "sec-fetch-site": "same-origin",
        "content-type": "application/x-www-form-urlencoded",
      },
      ...(holding ? { cookies: { handoff_session: holding } } : {}),
      payload: "",
    });
    const told = await (sp.reader as SAML).validatePostResponseAsync(
      postedForm(redeemed.body).fields,
    );
    return {
      cookie: sessionCookie(redeemed),
      userId: minted.user_id,
      told: told.profile as Profile,
    };
  }

  /** Runs the delivery worker's step (as the background worker also does) until `n` calls came. */
  async function received(n: number, node: FastifyInstance = t.app): Promise<Received[]> {
    const deadline = Date.now() + 15_000;
    while (sp.calls.length < n && Date.now() < deadline) {
      await domainsOf(node).soapLogout.deliver(node.log);
      if (sp.calls.length < n) await sleep(25);
    }
    await settled(node);
    return sp.calls;
  }

  /** Whatever is due has gone out: anything more would be a duplicate, given its chance. */
  async function settled(node: FastifyInstance = t.app): Promise<void> {
    await domainsOf(node).soapLogout.deliver(node.log);
    await sleep(50);
  }

  const deliveries = () =>
    t.database.read
      .selectFrom("saml_logout_deliveries")
      .select(["app_id", "state", "attempts", "last_status", "last_error"])
      .orderBy("created_at")
      .execute();

  /** The one call the Portal got names the person and the session as its sign-in did. */
  function expectTold(call: Received | undefined, told: Profile) {
    expect(call?.contentType).toBe("text/xml; charset=utf-8");
    expect(call?.soapAction).toBe("http://www.oasis-open.org/committees/security");
    // node-saml checked the enveloped signature with the certificate of Handoff's metadata.
    expect(call?.profile?.nameID).toBe(told.nameID);
    expect(call?.profile?.sessionIndex).toBe(told.sessionIndex);
    expect(call?.profile?.sessionIndex).toBeTruthy();
    expect(call?.request).toContain(`Destination="${sp.url}"`);
    const notOnOrAfter = /NotOnOrAfter="([^"]+)"/.exec(call?.request ?? "")?.[1] ?? "";
    expect(Date.parse(notOnOrAfter) - t.clock.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(Date.parse(notOnOrAfter)).toBeGreaterThan(t.clock.now());
  }

  it("reads the SOAP logout URL from the metadata and shows it in the management API", async () => {
    const app = await domainsOf(t.app).apps.get(portalId);
    expect(app.saml).toMatchObject({ sloUrl: PORTAL.slo, sloSoapUrl: sp.url });
    expect(appJson(app).saml).toMatchObject({ slo_url: PORTAL.slo, slo_soap_url: sp.url });
  });

  it("tells the Portal once, signed, when the partner revokes the person's sessions", async () => {
    const { userId, told } = await signedIn();
    expect(sp.calls).toEqual([]);
    const revoked = await t.app.inject({
      method: "POST",
      url: `/v1/users/${userId}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    expect(revoked.json()).toEqual({ ended: 1 });
    const calls = await received(1);
    expect(calls).toHaveLength(1);
    expectTold(calls[0], told);
    expect(await deliveries()).toEqual([
      { app_id: portalId, state: "delivered", attempts: 1, last_status: 200, last_error: null },
    ]);
    // The signature is Handoff's: an SP trusting another certificate refuses the same request.
    const stranger = nodeSaml(BASE, [strangerKeys.certificate], null);
    await expect(
      stranger.validatePostRequestAsync({
        SAMLRequest: Buffer.from(calls[0]?.request ?? "").toString("base64"),
      }),
    ).rejects.toThrow();
  });

  it("tells the Portal when a newer login link replaces the session, and for a deleted user", async () => {
    const first = await signedIn();
    // A newer link opened in the same browser ends the session it holds.
    const second = await signedIn(undefined, first.cookie);
    expectTold((await received(1))[0], first.told);
    expect(second.told.sessionIndex).not.toBe(first.told.sessionIndex);
    await domainsOf(t.app).users.remove(f.partnerId, first.userId);
    expect(await received(2)).toHaveLength(2);
  });

  it("tells the Portal by SOAP, and only the Wiki through the browser, on /logout", async () => {
    const { cookie, told } = await signedIn();
    const wiki = nodeSaml(BASE, certs, wikiKeys, {
      issuer: WIKI.entityId,
      callbackUrl: WIKI.acs,
      logoutCallbackUrl: WIKI.slo,
      audience: WIKI.entityId,
    });
    const cookies = { handoff_session: cookie };
    const authn = new URL(await wiki.getAuthorizeUrlAsync("", undefined, {}));
    const signedInWiki = await t.app.inject({
      method: "GET",
      url: `${authn.pathname}${authn.search}`,
      cookies,
    });
    expect(signedInWiki.statusCode).toBe(200);
    const out = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { "sec-fetch-site": "same-origin" },
      cookies,
    });
    // The browser is sent to the Wiki, and nowhere else: the Portal is told by SOAP.
    expect(out.statusCode).toBe(302);
    const toWiki = new URL(out.headers.location as string);
    expect(`${toWiki.origin}${toWiki.pathname}`).toBe(WIKI.slo);
    const { profile } = await wiki.validateRedirectAsync(
      Object.fromEntries(toWiki.searchParams),
      toWiki.search.slice(1),
    );
    const answer = new URL(await wiki.getLogoutResponseUrlAsync(profile as Profile, "", {}, true));
    const done = await t.app.inject({
      method: "GET",
      url: `${answer.pathname}${answer.search}`,
      cookies: chainCookie(out),
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("You are signed out");
    const calls = await received(1);
    expect(calls).toHaveLength(1);
    expectTold(calls[0], told);
  });

  it("ends on the signed-out page at once when the only app to tell offers SOAP", async () => {
    const { cookie, told } = await signedIn();
    const out = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { "sec-fetch-site": "same-origin" },
      cookies: { handoff_session: cookie },
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain("You are signed out");
    expectTold((await received(1))[0], told);
  });

  it("does not tell the Portal by SOAP of a logout it asked for itself", async () => {
    const { cookie, told } = await signedIn();
    const portal = nodeSaml(BASE, certs, portalKeys, {
      issuer: PORTAL.entityId,
      callbackUrl: PORTAL.acs,
      logoutCallbackUrl: PORTAL.slo,
      audience: PORTAL.entityId,
    });
    const logout = new URL(await portal.getLogoutUrlAsync(told, "", {}));
    const answered = await t.app.inject({
      method: "GET",
      url: `${logout.pathname}${logout.search}`,
      cookies: { handoff_session: cookie },
    });
    expect(answered.statusCode).toBe(302);
    expect(answered.headers.location).toContain(PORTAL.slo);
    const ended = await t.database.read.selectFrom("sessions").select("end_reason").execute();
    expect(ended).toEqual([{ end_reason: "logout" }]);
    await settled();
    expect(sp.calls).toEqual([]);
    expect(await deliveries()).toEqual([]);
  });

  it("takes only a successful, well-signed answer, retries with backoff, and gives up after a bound", async () => {
    const { userId } = await signedIn();
    // Each answer in turn: a SOAP fault, a signature by another key, a 503; then a good one,
    // unsigned (taken: it came back on Handoff's own connection).
    sp.answers.push("fault", "forged", "503", "unsigned");
    await t.app.inject({
      method: "POST",
      url: `/v1/users/${userId}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    const errors: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      await received(i + 1);
      errors.push((await deliveries())[0]?.last_error ?? null);
      // Not before its backoff ...
      expect(await domainsOf(t.app).soapLogout.deliver(t.app.log)).toBe(0);
      t.clock.advance(SOAP_LOGOUT_RULES.firstRetryMs * 2 ** i);
    }
    expect(errors).toEqual([
      "SOAP fault: no such session store",
      "the LogoutResponse's signature or schema is not valid",
      "answered 503",
      null,
    ]);
    expect(await deliveries()).toEqual([
      { app_id: portalId, state: "delivered", attempts: 4, last_status: 200, last_error: null },
    ]);

    // An SP that never answers well is tried 12 times in all, then given up.
    sp.calls.length = 0;
    sp.answers.push(...Array<Answer>(20).fill("503"));
    t.clock.set(Date.now()); // node-saml checks the new Response against the real clock
    const again = await signedIn({ id: "u2", email: "grace@example.com" });
    await t.app.inject({
      method: "POST",
      url: `/v1/users/${again.userId}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    for (let i = 0; i < 14; i++) {
      await domainsOf(t.app).soapLogout.deliver(t.app.log);
      t.clock.advance(3_600_000);
    }
    expect(sp.calls).toHaveLength(SOAP_LOGOUT_RULES.maxAttempts);
    expect((await deliveries())[1]).toEqual({
      app_id: portalId,
      state: "failed",
      attempts: 12,
      last_status: 503,
      last_error: "answered 503",
    });

    // An SP that answers for itself that the logout failed (no such session, say) is not asked
    // again: the same request would get the same answer.
    sp.calls.length = 0;
    sp.answers.length = 0;
    sp.answers.push("refused");
    t.clock.set(Date.now());
    const third = await signedIn({ id: "u3", email: "hedy@example.com" });
    await t.app.inject({
      method: "POST",
      url: `/v1/users/${third.userId}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    for (let i = 0; i < 3; i++) {
      await domainsOf(t.app).soapLogout.deliver(t.app.log);
      t.clock.advance(3_600_000);
    }
    expect(sp.calls).toHaveLength(1);
    expect((await deliveries())[2]).toEqual({
      app_id: portalId,
      state: "failed",
      attempts: 1,
      last_status: 200,
      last_error: "the app answered that the logout failed",
    });
  });

  it("refuses a SOAP logout URL at a private address, and sends nothing where a name resolves to one", async () => {
    const { apps } = domainsOf(t.app);
    const settings = (await apps.get(portalId)).saml;
    for (const url of [
      "https://10.0.0.7/mellon/logout",
      "https://169.254.169.254/latest",
      "http://127.0.0.2/mellon/logout",
      "https://[::1]/mellon/logout",
      "ftp://portal.example.com/logout",
    ]) {
      await expect(
        apps.update(portalId, { saml: { ...settings, sloSoapUrl: url } as typeof settings }),
        url,
      ).rejects.toMatchObject({ code: "invalid_request" });
    }
    expect((await apps.get(portalId)).saml?.sloSoapUrl).toBe(sp.url);

    // A host name is checked where it leads, at every try: without HANDOFF_OUTBOUND_ALLOW,
    // localhost is refused, and the SP listening there hears nothing.
    await t.app.close();
    t = await testApp(dialect, { baseUrl: BASE });
    t.clock.set(Date.now());
    f = await ssoFixture(t.app);
    const named = sp.url.replace("//127.0.0.1:", "//localhost:");
    portalId = (
      await domainsOf(t.app).apps.create({
        name: "Portal",
        baseUrl: "https://portal.example.com",
        saml: samlSettingsFromMetadata(portalMetadata(named, portalKeys.certificate)),
      })
    ).id;
    sp.reader = nodeSaml(BASE, await idpCertificates(t.app), portalKeys, {
      issuer: PORTAL.entityId,
      callbackUrl: PORTAL.acs,
      audience: PORTAL.entityId,
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const { userId } = await signedIn();
    await t.app.inject({
      method: "POST",
      url: `/v1/users/${userId}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    await settled();
    expect(sp.calls).toEqual([]);
    expect(await deliveries()).toEqual([
      {
        app_id: portalId,
        state: "pending",
        attempts: 1,
        last_status: null,
        last_error: "localhost resolves to no public address",
      },
    ]);
  });

  // Nodes share deliveries only where they share a database with other processes' writers.
  it.skipIf(dialect === "sqlite")(
    "sends each LogoutRequest once from two nodes on one database, after a partner is suspended",
    async () => {
      const node2 = await buildApp(t.config, { clock: t.clock, database: t.database });
      await node2.ready();
      try {
        const people = [];
        for (let i = 0; i < 3; i++) people.push(await signedIn({ id: `user-${i}` }));
        sp.delayMs = 20;
        await domainsOf(t.app).partners.setStatus(f.partnerId, "suspended");
        await Promise.all([received(3, t.app), received(3, node2)]);
        await sleep(100);
        expect(sp.calls).toHaveLength(3);
        expect(sp.calls.map((c) => c.profile?.nameID).sort()).toEqual(
          people.map((p) => p.told.nameID).sort(),
        );
      } finally {
        await node2.close();
      }
    },
  );
});

/** The sealed chain cookie a /logout answer set (the browser sends it back with the answer). */
function chainCookie(response: LightMyRequestResponse): Record<string, string> {
  const cookie = response.cookies.find((c) => c.name === "handoff_slo");
  if (!cookie) throw new Error("no handoff_slo cookie");
  return { handoff_slo: cookie.value };
}
