// Attempts to misuse login links: open redirects, IP binding and forged X-Forwarded-For,
// another partner's objects, on-behalf-of accounts that are not linked, bad input at mint.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import {
  mint,
  mintRequest,
  redeem,
  type SsoFixture,
  sessionCookie,
  ssoFixture,
  ticketStatus,
  verify,
} from "../helpers/sso.js";

const REDIRECT_ATTACKS = [
  "//evil.example",
  "//evil.example/orders",
  "/\\evil.example",
  "/orders/\\evil.example",
  "https://evil.example",
  "https://shop.example@evil.example/",
  "https://shop.example.evil.example/",
  "HTTPS://evil.example",
  "javascript:alert(1)",
  "JavaScript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/orders/../admin",
  "/orders/./../admin",
  "/orders/%2E%2E/admin",
  "/orders/%2e%2e/admin",
  "/orders/%252E%252E/admin",
  "/orders%2F..%2Fadmin",
  "/orders/%5Cevil",
  "/orders#fragment",
  "/orders\r\nLocation: https://evil.example",
  "/orders\tx",
  " /orders",
  "orders",
  "/ordersX",
  "/admin",
  "/%0d%0aSet-Cookie:x=1",
];

describe.each(dialects)("attacks on login links on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  beforeEach(async () => {
    t = await testApp(dialect, { trustedProxies: ["10.0.0.1"] });
    // Only /orders is allowed: everything else, including "/", is outside.
    f = await ssoFixture(t.app, { returnPaths: ["/orders"] });
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("refuses every open-redirect attempt at mint with 400, and mints nothing", async () => {
    for (const returnTo of REDIRECT_ATTACKS) {
      const response = await mintRequest(t.app, f.token, {
        user: { id: "u1" },
        app: f.appId,
        return_to: returnTo,
      });
      expect(response.statusCode, returnTo).toBe(400);
      expect(response.json().code, returnTo).toMatch(/invalid_return_to|invalid_request/);
    }
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toHaveLength(0);
  });

  it("lands inside the allowed prefix on segment boundaries", async () => {
    for (const [returnTo, location] of [
      ["/orders", "https://shop.example/store/orders"],
      ["/orders/", "https://shop.example/store/orders/"],
      ["/orders/7?x=%2F", "https://shop.example/store/orders/7?x=%2F"],
    ] as const) {
      const minted = await mint(t.app, f, { return_to: returnTo });
      expect((await redeem(t.app, minted.ticket)).headers.location).toBe(location);
    }
    // No return_to: the first allowed prefix, since "/" is not allowed here.
    const minted = await mint(t.app, f);
    expect((await redeem(t.app, minted.ticket)).headers.location).toBe(
      "https://shop.example/store/orders",
    );
  });

  it("binds a ticket to the exact address by default; IPv4-mapped IPv6 counts as IPv4", async () => {
    const bound = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    const wrong = await redeem(t.app, bound.ticket, { remoteAddress: "198.51.100.8" });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain("cannot be used from here");
    expect(await ticketStatus(t.app, f, bound.id)).toMatchObject({
      status: "rejected",
      reason: "ip_mismatch",
    });
    // Rejected for good: the right address afterwards does not revive it.
    expect((await redeem(t.app, bound.ticket, { remoteAddress: "198.51.100.7" })).statusCode).toBe(
      403,
    );

    const mapped = await mint(t.app, f, { bind_ip: "::ffff:198.51.100.7" });
    expect((await redeem(t.app, mapped.ticket, { remoteAddress: "198.51.100.7" })).statusCode).toBe(
      303,
    );
    const plain = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    expect(
      (await redeem(t.app, plain.ticket, { remoteAddress: "::ffff:198.51.100.7" })).statusCode,
    ).toBe(303);
  });

  it("compares /24 and /64 prefixes when the app asks for prefix binding", async () => {
    await domainsOf(t.app).apps.update(f.appId, { ipBinding: "prefix" });
    const v4 = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    expect((await redeem(t.app, v4.ticket, { remoteAddress: "198.51.100.200" })).statusCode).toBe(
      303,
    );
    const v4out = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    expect((await redeem(t.app, v4out.ticket, { remoteAddress: "198.51.101.7" })).statusCode).toBe(
      403,
    );
    const v6 = await mint(t.app, f, { bind_ip: "2001:db8:1:2::1" });
    expect(
      (await redeem(t.app, v6.ticket, { remoteAddress: "2001:db8:1:2:ffff::9" })).statusCode,
    ).toBe(303);
    const v6out = await mint(t.app, f, { bind_ip: "2001:db8:1:2::1" });
    expect(
      (await redeem(t.app, v6out.ticket, { remoteAddress: "2001:db8:1:3::1" })).statusCode,
    ).toBe(403);
  });

  it("believes X-Forwarded-For only from a trusted proxy, and only its last hop", async () => {
    // An untrusted client forging the bound address in X-Forwarded-For (SECURITY row 21).
    const forged = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    const spoof = await redeem(t.app, forged.ticket, {
      remoteAddress: "203.0.113.50",
      headers: { "x-forwarded-for": "198.51.100.7" },
    });
    expect(spoof.statusCode).toBe(403);

    // Through the trusted proxy 10.0.0.1, the address it saw counts.
    const viaProxy = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    const good = await redeem(t.app, viaProxy.ticket, {
      remoteAddress: "10.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.7" },
    });
    expect(good.statusCode).toBe(303);

    // The client's own forged left part is ignored: the proxy appended the real address.
    const leftForged = await mint(t.app, f, { bind_ip: "198.51.100.7" });
    const bad = await redeem(t.app, leftForged.ticket, {
      remoteAddress: "10.0.0.1",
      headers: { "x-forwarded-for": "198.51.100.7, 203.0.113.50" },
    });
    expect(bad.statusCode).toBe(403);
  });

  it("keeps partners apart: another partner's tickets, users and sessions are 404", async () => {
    const other = await ssoFixture(t.app, {}, "Other Co");
    const minted = await mint(t.app, f);
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    const as = { authorization: `Bearer ${other.token}` };
    for (const [method, url] of [
      ["GET", `/v1/sso/tickets/${minted.id}`],
      ["DELETE", `/v1/sso/tickets/${minted.id}`],
      ["POST", `/v1/users/${minted.user_id}/tickets/revoke`],
      ["POST", `/v1/users/${minted.user_id}/sessions/revoke`],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: as });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().code).toBe("not_found");
    }
    const unknown = await t.app.inject({
      method: "GET",
      url: "/v1/sso/tickets/AAAAAAAAAAAAAAAA",
      headers: as,
    });
    expect(unknown.json()).toMatchObject({ status: 404, code: "not_found" });
    expect((await verify(t.app, cookie)).statusCode).toBe(200);

    // The same external id and email under another partner is another user.
    const theirs = await mint(t.app, other);
    expect(theirs.user_id).not.toBe(minted.user_id);
    const theirCookie = sessionCookie(await redeem(t.app, theirs.ticket));
    expect((await verify(t.app, theirCookie)).headers["x-handoff-partner"]).toBe(other.partnerId);
  });

  it("never lets a body's partner or user id override the credential's own", async () => {
    const other = await ssoFixture(t.app, {}, "Other Co");
    const response = await mintRequest(t.app, f.token, {
      user: { id: "u1" },
      app: f.appId,
      partner_id: other.partnerId,
    });
    expect(response.statusCode).toBe(400);
    const minted = await mint(t.app, f);
    const status = await ticketStatus(t.app, f, minted.id);
    expect(status).toMatchObject({ account_id: f.partnerId });
  });

  it("acts on behalf of a linked sub-account only, and checks the link again at redemption", async () => {
    const child = await domainsOf(t.app).partners.create({ name: "Child" });
    const stranger = await domainsOf(t.app).partners.create({ name: "Stranger" });
    const refused = await mintRequest(t.app, f.token, {
      user: { id: "u1" },
      app: f.appId,
      on_behalf_of: stranger.partner.id,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("not_linked");
    const missing = await mintRequest(t.app, f.token, {
      user: { id: "u1" },
      app: f.appId,
      on_behalf_of: "prt_doesnotexist000",
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe("not_linked");

    await domainsOf(t.app).partners.link(f.partnerId, child.partner.id);
    const ok = await mint(t.app, f, { on_behalf_of: child.partner.id });
    const later = await mint(t.app, f, { on_behalf_of: child.partner.id });
    const cookie = sessionCookie(await redeem(t.app, ok.ticket));
    const verified = await verify(t.app, cookie);
    expect(verified.headers["x-handoff-partner"]).toBe(child.partner.id);
    expect(verified.headers["x-handoff-parent-partner"]).toBe(f.partnerId);
    const user = await t.database.read
      .selectFrom("users")
      .select("partner_id")
      .where("id", "=", ok.user_id)
      .executeTakeFirstOrThrow();
    expect(user.partner_id).toBe(child.partner.id);

    // The link is removed between mint and redemption: refused, and the session stops too.
    await domainsOf(t.app).partners.unlink(f.partnerId, child.partner.id);
    expect((await redeem(t.app, later.ticket)).statusCode).toBe(403);
    expect(await ticketStatus(t.app, f, later.id)).toMatchObject({ reason: "partner_inactive" });
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
  });

  it("ends what a parent minted on behalf of a sub-account when the sub-account is suspended", async () => {
    const child = await domainsOf(t.app).partners.create({ name: "Child" });
    await domainsOf(t.app).partners.link(f.partnerId, child.partner.id);
    const used = await mint(t.app, f, { on_behalf_of: child.partner.id });
    const unused = await mint(t.app, f, { on_behalf_of: child.partner.id });
    const own = await mint(t.app, f, { user: { id: "parent-user" } });
    const cookie = sessionCookie(await redeem(t.app, used.ticket));
    await domainsOf(t.app).partners.setStatus(child.partner.id, "suspended");
    const tickets = await t.database.read
      .selectFrom("tickets")
      .select(["id", "status", "reason"])
      .where("id", "in", [unused.id, own.id])
      .execute();
    expect(tickets.find((r) => r.id === unused.id)).toMatchObject({
      status: "revoked",
      reason: "partner_inactive",
    });
    expect(tickets.find((r) => r.id === own.id)).toMatchObject({ status: "issued" }); // the parent's own
    const session = await t.database.read
      .selectFrom("sessions")
      .select(["end_reason"])
      .where("ticket_id", "=", used.id)
      .executeTakeFirstOrThrow();
    expect(session.end_reason).toBe("partner_suspended");
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
  });

  it("refuses bad mint input with a clear 400 and never a 500", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ app: f.appId }, "user"],
      [{ user: { id: "" }, app: f.appId }, "id"],
      [{ user: { id: "u" }, app: "app_nope" }, "no app"],
      [{ user: { id: "u" }, app: f.appId, ttl_seconds: 999_999 }, "ttl_seconds"],
      [{ user: { id: "u" }, app: f.appId, ttl_seconds: 0 }, "ttl_seconds"],
      [{ user: { id: "u" }, app: f.appId, bind_ip: "1.2.3" }, "bind_ip"],
      [{ user: { id: "u" }, app: f.appId, bind_ip: "0x7f.1" }, "bind_ip"],
      [{ user: { id: "u", email: "ada＠example.com" }, app: f.appId }, "email"],
      [{ user: { id: "u", email: "a@b" }, app: f.appId }, "email"],
      [{ user: { id: "u" }, app: f.appId, otp: "sms" }, "otp"],
      [
        { user: { id: "u", phone: { number: "12ab", country_code: "+1" } }, app: f.appId },
        "number",
      ],
      [{ user: { id: "u" }, app: f.appId, fields: { email: { editable: "yes" } } }, "editable"],
    ];
    for (const [body, hint] of cases) {
      const response = await mintRequest(t.app, f.token, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.body.toLowerCase(), JSON.stringify(body)).toContain(hint.toLowerCase());
      expect(response.body).not.toContain("    at ");
    }
    const noToken = await t.app.inject({
      method: "POST",
      url: "/v1/sso/tickets",
      payload: { user: { id: "u" }, app: f.appId },
    });
    expect(noToken.statusCode).toBe(401);
  });

  it("creates one user row however many mints for a new user race (SECURITY row 30)", async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        mintRequest(t.app, f.token, {
          user: { id: "racer", email: `racer${i % 2}@example.com` },
          app: f.appId,
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const ids = new Set(responses.map((r) => r.json().user_id));
    expect(ids.size).toBe(1);
    const rows = await t.database.read
      .selectFrom("users")
      .select("id")
      .where("external_id", "=", "racer")
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("never merges look-alike emails into one canonical form", async () => {
    // Case and NFC merge (one person typing differently); look-alikes never do (SECURITY row 29).
    await mint(t.app, f, { user: { id: "a", email: "Ren\u00e9e@Example.com" } });
    await mint(t.app, f, { user: { id: "b", email: "rene\u0301e@example.com" } });
    await mint(t.app, f, { user: { id: "c", email: "\uff4belvin@example.com" } });
    await mint(t.app, f, { user: { id: "d", email: "kelvin@example.com" } });
    const kelvinSign = await mintRequest(t.app, f.token, {
      user: { id: "e", email: "\u212Aelvin@example.com" },
      app: f.appId,
    });
    expect(kelvinSign.statusCode).toBe(400);
    expect(kelvinSign.json().detail).toContain("look-alike");
    const rows = await t.database.read
      .selectFrom("users")
      .select(["external_id", "email_canonical"])
      .orderBy("external_id")
      .execute();
    expect(rows).toEqual([
      { external_id: "a", email_canonical: "ren\u00e9e@example.com" },
      { external_id: "b", email_canonical: "ren\u00e9e@example.com" },
      { external_id: "c", email_canonical: "\uff4belvin@example.com" },
      { external_id: "d", email_canonical: "kelvin@example.com" },
    ]);
  });
});
