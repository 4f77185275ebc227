// OIDC Back-Channel Logout 1.0 (issue 28): a person signed in to two OIDC apps of one sign-in
// group signs out (the /logout page, RP-initiated logout, SAML single logout), is revoked through
// the partner API, or their partner is suspended: each app's back-channel logout URI, a real
// HTTP server on 127.0.0.1, receives one Logout Token, verified here with jose against
// /oidc/jwks. A receiver that fails gets it again; two nodes on one database send each once.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import * as client from "openid-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildApp, dialects, domainsOf } from "../helpers/app.js";
import { CookieJar } from "../helpers/jar.js";
import {
  authorize,
  type OidcFixture,
  oidcFixture,
  REDIRECT,
  relyingParty,
  signIn,
  submit,
} from "../helpers/oidc.js";
import { idpCertificates, nodeSaml, SP, type SpKeys, spKeys } from "../helpers/saml.js";

const EVENT = "http://schemas.openid.net/event/backchannel-logout";

interface Received {
  path: string;
  contentType: string | undefined;
  token: string;
  status: number;
}

/** An RP's back-channel logout endpoint: keeps every call; fails the first `failures[path]`. */
interface Receiver {
  url: string;
  calls: Received[];
  failures: Map<string, number>;
  delayMs: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    calls: [],
    failures: new Map(),
    delayMs: 0,
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const path = request.url ?? "";
    const failing = receiver.failures.get(path) ?? 0;
    if (failing > 0) receiver.failures.set(path, failing - 1);
    const status = failing > 0 ? 503 : 200;
    receiver.calls.push({
      path,
      contentType: request.headers["content-type"],
      token: form.get("logout_token") ?? "",
      status,
    });
    if (receiver.delayMs) await new Promise((resolve) => setTimeout(resolve, receiver.delayMs));
    response.writeHead(status, { "cache-control": "no-store" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

let receiver: Receiver;
let keys: SpKeys;
beforeAll(async () => {
  receiver = await startReceiver();
  keys = await spKeys();
});
afterAll(async () => receiver.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects)("OIDC back-channel logout (%s)", (dialect) => {
  let f: OidcFixture;
  let otherId: string;
  let otherRp: client.Configuration;

  beforeEach(async () => {
    receiver.calls.length = 0;
    receiver.failures.clear();
    receiver.delayMs = 0;
    f = await oidcFixture(dialect, { outboundAllow: ["127.0.0.1/32"] });
    const { apps } = domainsOf(f.t.app);
    await apps.update(f.fixture.appId, {
      signInGroup: "suite",
      backchannelLogoutUri: `${receiver.url}/shop`,
    });
    const other = await apps.create({
      name: "Other",
      baseUrl: "https://other.example",
      redirectUris: [REDIRECT],
      signInGroup: "suite",
      backchannelLogoutUri: `${receiver.url}/other`,
    });
    otherId = other.id;
    otherRp = await relyingParty(f.base, other.id, await apps.rotateSecret(other.id));
  });
  afterEach(async () => f.t.app.close());

  async function codeGrant(jar: CookieJar, rp: client.Configuration) {
    const { landed, verifier, state } = await authorize(f, jar, {}, rp);
    return client.authorizationCodeGrant(rp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  /** A person signs in through a login link, then to both apps of the group. */
  async function signedIntoBoth(user?: Record<string, unknown>) {
    const jar = await signIn(f, new CookieJar(), user);
    const shop = await codeGrant(jar, f.rp);
    const other = await codeGrant(jar, otherRp);
    return { jar, shop, other, sub: shop.claims()?.sub as string };
  }

  /** Runs the delivery worker's step (as the background worker also does) until `n` calls came. */
  async function received(n: number, node: FastifyInstance = f.t.app): Promise<Received[]> {
    const deadline = Date.now() + 15_000;
    while (receiver.calls.length < n && Date.now() < deadline) {
      await domainsOf(node).backchannel.deliver(node.log);
      if (receiver.calls.length < n) await sleep(25);
    }
    await settled(node);
    return receiver.calls;
  }

  /** Whatever is due has gone out: anything more would be a duplicate, given its chance. */
  async function settled(node: FastifyInstance = f.t.app): Promise<void> {
    await domainsOf(node).backchannel.deliver(node.log);
    await sleep(50);
  }

  /** Verifies a Logout Token as an RP would: signature (JWKS), iss, aud, typ, events, no nonce. */
  async function verified(token: string, audience: string): Promise<JWTPayload> {
    const jwks = createRemoteJWKSet(new URL(`${f.base}/oidc/jwks`));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: `${f.base}/oidc`,
      audience,
      typ: "logout+jwt",
      algorithms: ["RS256"],
      currentDate: new Date(f.t.clock.now()),
    });
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload).not.toHaveProperty("nonce");
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp).toBeGreaterThan(payload.iat as number);
    return payload;
  }

  /** Both clients heard exactly once, each with its own sid and the person's sub. */
  async function expectBothOnce(signedIn: Awaited<ReturnType<typeof signedIntoBoth>>) {
    const calls = await received(2);
    expect(calls.map((c) => c.path).sort()).toEqual(["/other", "/shop"]);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect(calls.every((c) => c.contentType === "application/x-www-form-urlencoded")).toBe(true);
    const shop = await verified(
      calls.find((c) => c.path === "/shop")?.token ?? "",
      f.fixture.appId,
    );
    const other = await verified(calls.find((c) => c.path === "/other")?.token ?? "", otherId);
    const shopSid = signedIn.shop.claims()?.sid;
    const otherSid = signedIn.other.claims()?.sid;
    expect(shopSid).toEqual(expect.any(String));
    expect(shop).toMatchObject({ sub: signedIn.sub, sid: shopSid });
    expect(other).toMatchObject({ sub: signedIn.sub, sid: otherSid });
    const rows = await f.t.database.read
      .selectFrom("oidc_logout_deliveries")
      .select(["state", "attempts"])
      .execute();
    expect(rows).toEqual([
      { state: "delivered", attempts: 1 },
      { state: "delivered", attempts: 1 },
    ]);
  }

  it("advertises back-channel logout, with sid, in discovery", async () => {
    const discovery = await (await fetch(`${f.base}/oidc/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it("tells both apps of the group once when the person signs out at /logout", async () => {
    const signedIn = await signedIntoBoth();
    expect(receiver.calls).toEqual([]);
    const out = await signedIn.jar.fetch(`${f.base}/logout`, { method: "POST" });
    expect(out.status).toBe(200);
    await expectBothOnce(signedIn);
    // Signing out again (the session is gone) tells nobody anything more.
    await signedIn.jar.fetch(`${f.base}/logout`, { method: "POST" });
    await settled();
    expect(receiver.calls).toHaveLength(2);
  });

  it("tells both apps once when the partner revokes the person's sessions through its API", async () => {
    const signedIn = await signedIntoBoth();
    const revoked = await f.t.app.inject({
      method: "POST",
      url: `/v1/users/${signedIn.sub}/sessions/revoke`,
      headers: { authorization: `Bearer ${f.fixture.token}` },
    });
    expect(revoked.json()).toEqual({ ended: 1 });
    await expectBothOnce(signedIn);
  });

  it("tells both apps once after RP-initiated logout at one of them (oidc-provider sends nothing itself)", async () => {
    const signedIn = await signedIntoBoth();
    const end = client.buildEndSessionUrl(f.rp, {
      id_token_hint: signedIn.shop.id_token as string,
      post_logout_redirect_uri: "https://shop.example/signed-out",
    });
    const page = await signedIn.jar.fetch(end.href);
    const confirmed = await submit(signedIn.jar, await page.text(), f.base);
    expect(confirmed.status).toBe(303);
    await expectBothOnce(signedIn);
  });

  it("tells both OIDC apps once when the person logs out of a SAML app of the group", async () => {
    const { apps } = domainsOf(f.t.app);
    await apps.create({
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
    const signedIn = await signedIntoBoth();
    const sp = nodeSaml(f.base, await idpCertificates(f.t.app), keys);
    const profile = {
      issuer: SP.entityId,
      nameID: signedIn.sub,
      nameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    };
    const logout = await sp.getLogoutUrlAsync(profile, "bye", {});
    const answered = await signedIn.jar.fetch(logout);
    expect(answered.status).toBe(302);
    expect(answered.headers.get("location")).toContain(SP.slo);
    await expectBothOnce(signedIn);
  });

  it("tells both apps once when the partner deletes the user", async () => {
    const signedIn = await signedIntoBoth();
    await domainsOf(f.t.app).users.remove(f.fixture.partnerId, signedIn.sub);
    await expectBothOnce(signedIn);
  });

  it("sends nothing to an app without a URI, and nothing for a session no OIDC app used", async () => {
    await domainsOf(f.t.app).apps.update(otherId, { backchannelLogoutUri: null });
    const signedIn = await signedIntoBoth();
    const bystander = await signIn(f, new CookieJar(), { id: "user-8" });
    await bystander.fetch(`${f.base}/logout`, { method: "POST" });
    await signedIn.jar.fetch(`${f.base}/logout`, { method: "POST" });
    const calls = await received(1);
    expect(calls.map((c) => c.path)).toEqual(["/shop"]);
  });

  it("tries again when the app's endpoint fails, with the same jti, and gives up after a bound", async () => {
    receiver.failures.set("/shop", 1);
    const signedIn = await signedIntoBoth();
    await signedIn.jar.fetch(`${f.base}/logout`, { method: "POST" });
    const first = await received(2);
    expect(first.map((c) => `${c.path} ${c.status}`).sort()).toEqual(["/other 200", "/shop 503"]);
    // Not before its backoff ...
    expect(await domainsOf(f.t.app).backchannel.deliver(f.t.app.log)).toBe(0);
    // ... then once more, and it arrives.
    f.t.clock.advance(5_000);
    const calls = await received(3);
    const shop = calls.filter((c) => c.path === "/shop");
    expect(shop.map((c) => c.status)).toEqual([503, 200]);
    expect(decodeJwt(shop[0]?.token ?? "").jti).toBe(decodeJwt(shop[1]?.token ?? "").jti);
    await verified(shop[1]?.token ?? "", f.fixture.appId);
    expect(calls).toHaveLength(3);

    // An endpoint that never answers well is tried 12 times in all, then given up.
    receiver.calls.length = 0;
    receiver.failures.set("/shop", 100);
    await domainsOf(f.t.app).apps.update(otherId, { backchannelLogoutUri: null });
    const again = await signedIntoBoth({ id: "user-9" });
    await again.jar.fetch(`${f.base}/logout`, { method: "POST" });
    for (let i = 0; i < 14; i++) {
      await domainsOf(f.t.app).backchannel.deliver(f.t.app.log);
      f.t.clock.advance(3_600_000);
    }
    expect(receiver.calls).toHaveLength(12);
    const failed = await f.t.database.read
      .selectFrom("oidc_logout_deliveries")
      .select(["state", "attempts", "last_status"])
      .where("state", "=", "failed")
      .execute();
    expect(failed).toEqual([{ state: "failed", attempts: 12, last_status: 503 }]);
  });

  it("refuses a back-channel URI on a private or loopback address, or plain http, at registration", async () => {
    const { apps } = domainsOf(f.t.app);
    for (const uri of [
      "https://10.0.0.7/logout",
      "https://169.254.169.254/latest",
      "https://[::1]/logout",
      "https://intranet.local/logout",
      "http://rp.example/logout",
    ]) {
      await expect(apps.update(otherId, { backchannelLogoutUri: uri }), uri).rejects.toMatchObject({
        code: "invalid_request",
      });
    }
    expect((await apps.get(otherId)).oidc.backchannelLogoutUri).toBe(`${receiver.url}/other`);
  });

  // Nodes share deliveries only where they share a database with other processes' writers.
  it.skipIf(dialect === "sqlite")(
    "sends each token once from two nodes on one database, after a partner is suspended",
    async () => {
      const node2 = await buildApp(f.t.config, { clock: f.t.clock, database: f.t.database });
      await node2.ready();
      try {
        const people = [];
        for (let i = 0; i < 3; i++) people.push(await signedIntoBoth({ id: `user-${i}` }));
        receiver.delayMs = 20;
        await domainsOf(f.t.app).partners.setStatus(f.fixture.partnerId, "suspended");
        await Promise.all([received(6, f.t.app), received(6, node2)]);
        await sleep(100);
        const calls = receiver.calls;
        expect(calls).toHaveLength(6);
        const jtis = calls.map((c) => decodeJwt(c.token).jti);
        expect(new Set(jtis).size).toBe(6);
        const heard = calls.map((c) => `${c.path} ${decodeJwt(c.token).sub}`).sort();
        expect(heard).toEqual(people.flatMap((p) => [`/other ${p.sub}`, `/shop ${p.sub}`]).sort());
      } finally {
        await node2.close();
      }
    },
  );
});
