// Call-backs to partners (seed 002's tpd.auth_token): an app asks, Handoff calls the partner's
// endpoint with the user's auth_token and a Standard Webhooks signature (verified here with the
// `standardwebhooks` package), and relays the answer; debit and refund are idempotent by key;
// timeouts and failures are 504/502; private addresses are refused (SECURITY rows 55, 56).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.js";
import { postOutbound, reachable } from "../../src/delivery/outbound.js";
import { dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { PASSWORD, signInConsole } from "../helpers/console.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

const browser = {
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
};

let partner: PartnerEndpoint;
beforeAll(async () => {
  partner = await startPartnerEndpoint();
});
afterAll(async () => {
  await partner.close();
});

describe.each(dialects)("call-backs on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  let cookie: string;
  let userId: string;

  beforeEach(async () => {
    partner.calls.length = 0;
    partner.answer = { status: 200, body: '{"balance":42,"currency":"INR"}' };
    t = await testApp(dialect, { outboundAllow: ["127.0.0.1/32"] });
    // The partner checks the signature's timestamp against its own (real) clock.
    t.clock.set(Date.now());
    f = await ssoFixture(t.app);
    for (const kind of ["debit", "balance"]) {
      const { secret } = await domainsOf(t.app).callbacks.set(f.partnerId, kind, {
        url: `${partner.url}/${kind}`,
        timeoutMs: 400,
      });
      partner.secret = secret;
    }
    const minted = await mint(t.app, f, {
      user: { id: "u-cb", email: "ada@example.com" },
      partner_data: { auth_token: "partner-auth-token-123", tier: "gold" },
    });
    userId = minted.user_id;
    const redeemed = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: browser,
      payload: "",
    });
    cookie = sessionCookie(redeemed);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const call = (
    kind: string,
    payload: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: "POST",
      url: `/v1/callbacks/${kind}`,
      headers: {
        authorization: `Basic ${Buffer.from(`${f.appId}:${f.appSecret}`).toString("base64")}`,
        ...headers,
      },
      payload,
    });

  it("calls the partner with the user's auth_token, signed, and relays the answer", async () => {
    const answer = await call("balance", { session: cookie, data: { currency: "INR" } });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ balance: 42, currency: "INR" });
    expect(partner.calls).toHaveLength(1);
    const [seen] = partner.calls;
    expect(seen?.path).toBe("/balance");
    expect(seen?.headers.authorization).toBe("Bearer partner-auth-token-123");
    expect(seen?.verified).toBe(true);
    expect(seen?.body).toEqual({ currency: "INR" });
    // By user id too; and the audit has the call, never the token.
    expect((await call("balance", { user_id: userId })).statusCode).toBe(200);
    const audited = await t.database.read
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "callback.balance")
      .execute();
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({
      actor: f.appId,
      partner_id: f.partnerId,
      subject: userId,
      outcome: "200",
    });
    expect(JSON.stringify(audited)).not.toContain("partner-auth-token-123");
    // A wrong app secret, an unregistered kind, no user: refused without a call.
    const wrong = await t.app.inject({
      method: "POST",
      url: "/v1/callbacks/balance",
      headers: { authorization: `Basic ${Buffer.from(`${f.appId}:nope`).toString("base64")}` },
      payload: { session: cookie },
    });
    expect(wrong.statusCode).toBe(401);
    expect((await call("verify", { session: cookie })).json().code).toBe("no_callback");
    expect((await call("balance", {})).statusCode).toBe(400);
    // Another app may not act for a user who never signed in to it.
    const stranger = await domainsOf(t.app).apps.create({
      name: "Other",
      baseUrl: "https://other.example",
    });
    const strangerSecret = await domainsOf(t.app).apps.rotateSecret(stranger.id);
    const foreign = await t.app.inject({
      method: "POST",
      url: "/v1/callbacks/balance",
      headers: {
        authorization: `Basic ${Buffer.from(`${stranger.id}:${strangerSecret}`).toString("base64")}`,
      },
      payload: { user_id: userId },
    });
    expect(foreign.statusCode).toBe(404);
    expect(partner.calls).toHaveLength(2);
  });

  it("calls the partner once per Idempotency-Key for a debit, and answers the kept answer again", async () => {
    expect((await call("debit", { session: cookie, data: { amount: 100 } })).json().code).toBe(
      "idempotency_key_required",
    );
    partner.answer = { status: 201, body: '{"transaction":"tx-1"}' };
    const first = await call(
      "debit",
      { session: cookie, data: { amount: 100 } },
      { "idempotency-key": "order-77" },
    );
    expect(first.statusCode).toBe(201);
    partner.answer = { status: 201, body: '{"transaction":"tx-2"}' };
    const again = await call(
      "debit",
      { session: cookie, data: { amount: 100 } },
      { "idempotency-key": "order-77" },
    );
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual({ transaction: "tx-1" });
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(partner.calls).toHaveLength(1);
    expect(partner.calls[0]?.headers["idempotency-key"]).toBe("order-77");
    const other = await call(
      "debit",
      { session: cookie, data: { amount: 999 } },
      { "idempotency-key": "order-77" },
    );
    expect(other.statusCode).toBe(409);
    expect(partner.calls).toHaveLength(1);
  });

  it("answers 504 when the partner is slow and 502 for a 5xx or a redirect, which it never follows", async () => {
    partner.answer = { status: 200, body: "{}", delayMs: 1500 };
    const started = Date.now();
    const slow = await call("balance", { session: cookie });
    expect(slow.statusCode).toBe(504);
    expect(slow.json().code).toBe("partner_timeout");
    expect(Date.now() - started).toBeLessThan(1400);
    partner.answer = { status: 503, body: '{"error":"down"}' };
    const down = await call("balance", { session: cookie });
    expect(down.statusCode).toBe(502);
    expect(down.json()).toMatchObject({ code: "partner_error", partner_status: 503 });
    partner.answer = {
      status: 302,
      body: "",
      location: "http://169.254.169.254/latest/meta-data/",
    };
    const calls = partner.calls.length;
    const moved = await call("balance", { session: cookie });
    expect(moved.json()).toMatchObject({ code: "partner_error", partner_status: 302 });
    expect(partner.calls.length).toBe(calls + 1);
    // An answer over 64 KiB is cut off, never waited on.
    partner.answer = { status: 200, body: JSON.stringify({ pad: "x".repeat(100_000) }) };
    const huge = await call("balance", { session: cookie });
    expect(huge.json()).toMatchObject({ code: "partner_error" });
    // A debit the partner answered nothing to may be tried again with the same key.
    partner.answer = { status: 200, body: "{}", delayMs: 1500 };
    const lost = await call(
      "debit",
      { session: cookie, data: { amount: 5 } },
      { "idempotency-key": "k-lost" },
    );
    expect(lost.statusCode).toBe(504);
    partner.answer = { status: 201, body: '{"transaction":"tx-9"}' };
    const retried = await call(
      "debit",
      { session: cookie, data: { amount: 5 } },
      { "idempotency-key": "k-lost" },
    );
    expect(retried.statusCode).toBe(201);
  });
});

describe("call-backs across a restart", () => {
  it("answers a repeated debit key from the database after the process restarts, without a call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-callbacks-"));
    const url = `sqlite:${join(dir, "handoff.db")}`;
    const config = { outboundAllow: ["127.0.0.1/32"], secretKey: randomBytes(32) };
    partner.calls.length = 0;
    partner.answer = { status: 201, body: '{"transaction":"tx-restart"}' };
    const first = await testApp("sqlite", config, await openDatabase(url));
    first.clock.set(Date.now());
    const f = await ssoFixture(first.app);
    partner.secret = (
      await domainsOf(first.app).callbacks.set(f.partnerId, "debit", {
        url: `${partner.url}/debit`,
      })
    ).secret;
    const minted = await mint(first.app, f, {
      user: { id: "u-r" },
      partner_data: { auth_token: "tok-r" },
    });
    await first.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: browser,
      payload: "",
    });
    const debit = (t: TestApp) =>
      t.app.inject({
        method: "POST",
        url: "/v1/callbacks/debit",
        headers: {
          authorization: `Basic ${Buffer.from(`${f.appId}:${f.appSecret}`).toString("base64")}`,
          "idempotency-key": "restart-1",
        },
        payload: { user_id: minted.user_id, data: { amount: 10 } },
      });
    expect((await debit(first)).statusCode).toBe(201);
    await first.app.close();
    partner.answer = { status: 201, body: '{"transaction":"tx-other"}' };
    const second = await testApp("sqlite", config, await openDatabase(url));
    try {
      const again = await debit(second);
      expect(again.json()).toEqual({ transaction: "tx-restart" });
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(partner.calls).toHaveLength(1);
    } finally {
      await second.app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("call-back endpoints and private addresses (SSRF)", () => {
  let t: TestApp;
  let f: SsoFixture;
  beforeEach(async () => {
    t = await testApp("sqlite");
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("refuses loopback, private, link-local and metadata addresses, and plain http", async () => {
    for (const url of [
      "https://127.0.0.1/balance",
      "https://10.1.2.3/balance",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/balance",
      "https://[::ffff:127.0.0.1]/balance",
      "https://localhost/balance",
      "http://partner.example/balance",
      "ftp://partner.example/balance",
    ]) {
      await expect(
        domainsOf(t.app).callbacks.set(f.partnerId, "balance", { url }),
        url,
      ).rejects.toMatchObject({
        code: "invalid_request",
      });
    }
    const { secret } = await domainsOf(t.app).callbacks.set(f.partnerId, "balance", {
      url: "https://partner.example/balance",
    });
    expect(secret).toMatch(/^whsec_/);
    expect(reachable("8.8.8.8", [])).toBe(true);
    expect(reachable("192.168.1.1", [])).toBe(false);
    expect(reachable("::ffff:169.254.169.254", [])).toBe(false);
  });

  it("checks the address again at connection: a name that resolves to loopback is refused", async () => {
    const endpoint = await startPartnerEndpoint();
    try {
      const port = new URL(endpoint.url).port;
      await expect(
        postOutbound(`http://localhost:${port}/x`, {}, "{}", { timeoutMs: 1000, allowed: [] }),
      ).rejects.toMatchObject({ reason: "refused" });
      expect(endpoint.calls).toHaveLength(0);
    } finally {
      await endpoint.close();
    }
  });

  it("lets a partner's admin manage its own endpoints through the management API, nobody else's", async () => {
    const other = await ssoFixture(t.app, {}, "Other partner");
    await domainsOf(t.app).partnerUsers.create(f.partnerId, "admin@a.example", PASSWORD);
    await domainsOf(t.app).partnerUsers.create(f.partnerId, "viewer@a.example", PASSWORD, {
      role: "viewer",
    });
    const admin = await signInConsole(t.app, "admin@a.example", f.partnerId);
    const viewer = await signInConsole(t.app, "viewer@a.example", f.partnerId);
    const put = (user: typeof admin, partnerId: string) =>
      user.call({
        method: "PUT",
        url: `/v1/manage/partners/${partnerId}/callbacks/refund`,
        payload: { url: "https://partner.example/refund", timeout_ms: 3000 },
      });
    const created = await put(admin, f.partnerId);
    expect(created.statusCode).toBe(200);
    expect(created.json().secret).toMatch(/^whsec_/);
    const changed = await put(admin, f.partnerId);
    expect(changed.json().secret).toBeNull(); // shown once; a change keeps it
    expect((await put(admin, other.partnerId)).statusCode).toBe(404);
    expect((await put(viewer, f.partnerId)).statusCode).toBe(403);
    const listed = await viewer.call({
      method: "GET",
      url: `/v1/manage/partners/${f.partnerId}/callbacks`,
    });
    expect(listed.json().callbacks).toEqual([
      expect.objectContaining({
        kind: "refund",
        url: "https://partner.example/refund",
        timeout_ms: 3000,
      }),
    ]);
    expect(listed.body).not.toContain("whsec_");
    const ssrf = await admin.call({
      method: "PUT",
      url: `/v1/manage/partners/${f.partnerId}/callbacks/verify`,
      payload: { url: "https://169.254.169.254/" },
    });
    expect(ssrf.statusCode).toBe(400);
    const removed = await admin.call({
      method: "DELETE",
      url: `/v1/manage/partners/${f.partnerId}/callbacks/refund`,
    });
    expect(removed.statusCode).toBe(204);
  });
});
