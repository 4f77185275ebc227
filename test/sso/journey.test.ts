// The whole journey of a login link on every dialect: mint, the page, the POST, the cookie, the
// redirect, forward-auth, introspection, logout; then every way a link can fail.
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

describe.each(dialects)("login links on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  beforeEach(async () => {
    t = await testApp(dialect);
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("mints, shows a page, redeems once, lands on the app, and tells apps who the user is", async () => {
    const minted = await mint(t.app, f, {
      return_to: "/orders/42?tab=items",
      fields: { email: { editable: false, hidden: false, support_alternate: true } },
      partner_data: { auth_token: "partner-callback-secret", tier: "gold" },
    });
    expect(minted.ticket).toMatch(/^hts_[A-Za-z0-9_-]{59}$/);
    expect(minted.login_url).toBe(`${t.config.baseUrl}/login/${minted.ticket}`);
    expect(minted.user_id).toMatch(/^usr_/);
    expect(Date.parse(minted.expires_at) - t.clock.now()).toBe(300_000);

    const page = await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain(
      `<form id="continue" method="post" action="/login/${minted.ticket}">`,
    );
    expect(page.body).toContain("Signing you in to Storefront");
    expect(page.headers["content-security-policy"]).toContain(
      "form-action 'self' https://shop.example",
    );
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect((await ticketStatus(t.app, f, minted.id)).status).toBe("issued");

    const landed = await redeem(t.app, minted.ticket);
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("https://shop.example/store/orders/42?tab=items");
    const setCookie = String(landed.headers["set-cookie"]);
    expect(setCookie).toMatch(/^handoff_session=hss_/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).not.toContain("Domain");
    const cookie = sessionCookie(landed);

    const status = await ticketStatus(t.app, f, minted.id);
    expect(status).toMatchObject({ status: "redeemed", reason: null, last_failure: null });

    const verified = await verify(t.app, cookie);
    expect(verified.statusCode).toBe(200);
    expect(verified.headers["x-handoff-user"]).toBe(minted.user_id);
    expect(verified.headers["x-handoff-partner"]).toBe(f.partnerId);
    expect(verified.headers["x-handoff-email"]).toBe("ada@example.com");
    expect(verified.headers["x-handoff-external-id"]).toBe("user-1");
    expect((await verify(t.app, cookie, `?app=${f.appId}`)).statusCode).toBe(200);
    // A live session for another app is not "no session": the answer says what happened, and
    // names nobody.
    const elsewhere = await verify(t.app, cookie, "?app=app_other");
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({
      code: "session_for_other_app",
      title: expect.stringContaining("another app"),
    });
    expect(Object.keys(elsewhere.headers).filter((h) => h.startsWith("x-handoff-"))).toEqual([]);
    expect((await verify(t.app, null, "?app=app_other")).json()).toMatchObject({
      code: "no_session",
    });

    const introspected = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      headers: {
        authorization: `Basic ${Buffer.from(`${f.appId}:${f.appSecret}`).toString("base64")}`,
      },
      payload: { token: cookie },
    });
    expect(introspected.statusCode).toBe(200);
    expect(introspected.json()).toMatchObject({
      active: true,
      sub: minted.user_id,
      client_id: f.appId,
      username: "user-1",
      user: { email: "ada@example.com", name: "Ada", external_id: "user-1" },
      partner: f.partnerId,
      sub_account: null,
      fields: { email: { editable: false, hidden: false, support_alternate: true } },
      otp: null,
      partner_data: { tier: "gold" },
    });
    expect(introspected.body).not.toContain("partner-callback-secret");

    const out = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { cookie: `handoff_session=${cookie}`, "sec-fetch-site": "same-origin" },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers["set-cookie"])).toMatch(
      /handoff_session=;.*Expires=Thu, 01 Jan 1970/,
    );
    // The old cookie, replayed after logout, is dead (SECURITY row 35).
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    const after = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: f.appId, client_secret: f.appSecret },
    });
    expect(after.json()).toEqual({ active: false });
  });

  it("refuses at mint a link asking for a one-time code the platform cannot deliver", async () => {
    // No SMTP server and no demo mailbox here; SMS is not built (test/otp/ has the step itself).
    for (const otp of ["primary_email", "primary_phone", "alternate_email"]) {
      const refused = await mintRequest(t.app, f.token, {
        user: { id: "user-1", email: "ada@example.com" },
        app: f.appId,
        otp,
      });
      expect(refused.statusCode, otp).toBe(400);
      expect(refused.json().code).toBe("invalid_request");
    }
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toHaveLength(0);
  });

  it("tells the person a used link needs a new one, not to open it again", async () => {
    const minted = await mint(t.app, f);
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
    for (const method of ["GET", "POST"] as const) {
      const used = await t.app.inject({
        method,
        url: `/login/${minted.ticket}`,
        headers: { "sec-fetch-site": "same-origin" },
      });
      expect(used.statusCode).toBe(410);
      expect(used.body).toContain("Each login link works once");
      expect(used.body).not.toContain("open the link again");
      expect(used.body).toContain("ask it for a new link");
    }
    // Where opening the same link again is the way forward, the page still says so.
    const crossSite = await redeem(t.app, (await mint(t.app, f)).ticket, {
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.body).toContain("open the link again");
  });

  it("lands the browser that used a link in the app when it opens the link again while signed in", async () => {
    const minted = await mint(t.app, f);
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    const again = await t.app.inject({
      method: "GET",
      url: `/login/${minted.ticket}`,
      headers: { cookie: `handoff_session=${cookie}` },
    });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe("https://shop.example/store/");
    const posted = await redeem(t.app, minted.ticket, { cookie });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe("https://shop.example/store/");
    expect(posted.headers["set-cookie"]).toBeUndefined();
    // Still the one session, still live; nothing was used again.
    expect(await t.database.read.selectFrom("sessions").select("id").execute()).toHaveLength(1);
    expect((await verify(t.app, cookie)).statusCode).toBe(200);

    // Any other browser, or this one with another link's session or after signing out: the page.
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(410);
    const other = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    expect((await redeem(t.app, minted.ticket, { cookie: other })).statusCode).toBe(410);
    await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { cookie: `handoff_session=${cookie}`, "sec-fetch-site": "same-origin" },
    });
    const afterLogout = await t.app.inject({
      method: "GET",
      url: `/login/${minted.ticket}`,
      headers: { cookie: `handoff_session=${cookie}` },
    });
    expect(afterLogout.statusCode).toBe(410);
  });

  it("writes mint and redemption to the audit log without any secret", async () => {
    const minted = await mint(t.app, f);
    const cookie = sessionCookie(
      await redeem(t.app, minted.ticket, { remoteAddress: "203.0.113.9" }),
    );
    await redeem(t.app, minted.ticket, { remoteAddress: "203.0.113.9" });
    // (The fixture's partner, token and app are in the log too, made by "cli".)
    const rows = await t.database.read
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "like", "ticket.%")
      .orderBy("at")
      .execute();
    expect(rows.map((r) => [r.action, r.outcome, r.subject])).toEqual([
      ["ticket.mint", "ok", minted.id],
      ["ticket.redeem", "ok", minted.id],
      ["ticket.redeem", "already_used", minted.id],
    ]);
    expect(rows[1]?.ip).toBe("203.0.113.9");
    expect(rows[0]?.partner_id).toBe(f.partnerId);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(minted.ticket.slice(20));
    expect(dump).not.toContain(cookie.slice(20));
  });

  it("never uses a ticket on GET or HEAD (link scanners, chat previews)", async () => {
    const minted = await mint(t.app, f);
    for (let i = 0; i < 3; i++) {
      expect(
        (await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` })).statusCode,
      ).toBe(200);
      expect(
        (await t.app.inject({ method: "HEAD", url: `/login/${minted.ticket}` })).statusCode,
      ).toBe(200);
    }
    expect((await ticketStatus(t.app, f, minted.id)).status).toBe("issued");
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
  });

  it("gives exactly one session to 100 concurrent redemptions of one ticket", async () => {
    const minted = await mint(t.app, f);
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => redeem(t.app, minted.ticket)),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 303)).toHaveLength(1);
    expect(codes.filter((c) => c === 410)).toHaveLength(99);
    const sessions = await t.database.read.selectFrom("sessions").select("id").execute();
    expect(sessions).toHaveLength(1);
    const users = await t.database.read.selectFrom("users").select("id").execute();
    expect(users).toHaveLength(1);
    expect(await ticketStatus(t.app, f, minted.id)).toMatchObject({
      status: "redeemed",
      last_failure: { reason: "already_used" },
    });
  });

  it("expires a ticket: works at TTL − 1 s, refused at TTL + 1 s (410, reason expired)", async () => {
    const early = await mint(t.app, f, { ttl_seconds: 60 });
    const late = await mint(t.app, f, { ttl_seconds: 60 });
    t.clock.advance(59_000);
    expect((await redeem(t.app, early.ticket)).statusCode).toBe(303);
    t.clock.advance(2_000);
    const refused = await redeem(t.app, late.ticket);
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain("This link has expired");
    expect(await ticketStatus(t.app, f, late.id)).toMatchObject({
      status: "expired",
      reason: "expired",
      last_failure: { reason: "expired" },
    });
  });

  it("refuses a used link (410), a revoked one (410) and an unknown one (404), with a clear page", async () => {
    const minted = await mint(t.app, f);
    await redeem(t.app, minted.ticket);
    const again = await redeem(t.app, minted.ticket);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain("already been used");
    expect(again.headers.location).toBeUndefined();

    const revoked = await mint(t.app, f);
    const deleted = await t.app.inject({
      method: "DELETE",
      url: `/v1/sso/tickets/${revoked.id}`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    expect(deleted.json()).toMatchObject({ status: "revoked", reason: "revoked" });
    expect((await redeem(t.app, revoked.ticket)).statusCode).toBe(410);
    expect(
      (await t.app.inject({ method: "GET", url: `/login/${revoked.ticket}` })).statusCode,
    ).toBe(410);

    const unknown = await redeem(t.app, `hts_${"A".repeat(59)}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("This link is not valid");
    // Right id, wrong secret: as unknown, and the real ticket is untouched.
    const real = await mint(t.app, f);
    const forged = `${real.ticket.slice(0, 20)}${"B".repeat(43)}`;
    expect((await redeem(t.app, forged)).statusCode).toBe(404);
    expect((await ticketStatus(t.app, f, real.id)).status).toBe("issued");
  });

  it("shows the app's failure URL on the error page, never the ticket's return path", async () => {
    const other = await domainsOf(t.app).apps.create({
      name: "Portal",
      baseUrl: "https://portal.example",
      returnPaths: ["/"],
      failureUrl: "https://partner.example/sso-failed",
    });
    const minted = await mint(t.app, f, { app: other.id, return_to: "/secret-place" });
    await redeem(t.app, minted.ticket);
    const failed = await redeem(t.app, minted.ticket);
    expect(failed.statusCode).toBe(410);
    expect(failed.body).toContain('href="https://partner.example/sso-failed"');
    expect(failed.body).not.toContain("secret-place");
  });

  it("refuses a redemption started from another site without using the ticket", async () => {
    const minted = await mint(t.app, f);
    const cross = await redeem(t.app, minted.ticket, {
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(cross.statusCode).toBe(403);
    const foreignOrigin = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: { origin: "https://evil.example" },
    });
    expect(foreignOrigin.statusCode).toBe(403);
    expect((await ticketStatus(t.app, f, minted.id)).status).toBe("issued");
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
  });

  it("issues a fresh session id on every redemption and never adopts a planted cookie", async () => {
    const planted = `hss_${"x".repeat(59)}`;
    const first = await redeem(t.app, (await mint(t.app, f)).ticket, { cookie: planted });
    const a = sessionCookie(first);
    expect(a).not.toBe(planted);
    expect((await verify(t.app, planted)).statusCode).toBe(401);
    const second = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    expect(second).not.toBe(a);
  });

  it("replaces the session cleanly when a logged-in browser opens another user's link", async () => {
    const ada = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const bob = await mint(t.app, f, { user: { id: "user-2", email: "bob@example.com" } });
    const switched = await redeem(t.app, bob.ticket, { cookie: ada });
    const bobCookie = sessionCookie(switched);
    expect((await verify(t.app, bobCookie)).headers["x-handoff-user"]).toBe(bob.user_id);
    // The first user's session is over, so a shared computer does not keep it alive.
    expect((await verify(t.app, ada)).statusCode).toBe(401);
    const ended = await t.database.read
      .selectFrom("sessions")
      .select("end_reason")
      .where("end_reason", "is not", null)
      .execute();
    expect(ended).toEqual([{ end_reason: "replaced" }]);
  });

  it("ends sessions at the app's idle and absolute limits, judged by the server", async () => {
    const short = await domainsOf(t.app).apps.create({
      name: "Short",
      baseUrl: "https://short.example",
      sessionIdleSeconds: 600,
      sessionAbsoluteSeconds: 1800,
    });
    const idle = sessionCookie(
      await redeem(t.app, (await mint(t.app, f, { app: short.id })).ticket),
    );
    t.clock.advance(599_000);
    expect((await verify(t.app, idle)).statusCode).toBe(200);
    t.clock.advance(599_000); // seen 599 s ago: still alive, and seen again now
    expect((await verify(t.app, idle)).statusCode).toBe(200);
    t.clock.advance(601_000);
    expect((await verify(t.app, idle)).statusCode).toBe(401);

    const busy = sessionCookie(
      await redeem(t.app, (await mint(t.app, f, { app: short.id })).ticket),
    );
    for (let i = 0; i < 5; i++) {
      t.clock.advance(300_000);
      expect((await verify(t.app, busy)).statusCode).toBe(200);
    }
    t.clock.advance(300_001); // 30 min + 1 ms after creation, though seen 5 min ago
    expect((await verify(t.app, busy)).statusCode).toBe(401);
  });

  it("stops a suspended partner's sessions and links at once", async () => {
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const pending = await mint(t.app, f);
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
    await domainsOf(t.app).partners.setStatus(f.partnerId, "suspended");
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    const refused = await redeem(t.app, pending.ticket);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("not active");
    // Reactivation does not bring them back.
    await domainsOf(t.app).partners.setStatus(f.partnerId, "active");
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    expect((await redeem(t.app, pending.ticket)).statusCode).toBe(403);
  });

  it("stops a sub-account's sessions when the sub-account itself is suspended", async () => {
    const child = await domainsOf(t.app).partners.create({ name: "Child" });
    await domainsOf(t.app).partners.link(f.partnerId, child.partner.id);
    const cookie = sessionCookie(
      await redeem(t.app, (await mint(t.app, f, { on_behalf_of: child.partner.id })).ticket),
    );
    const pending = await mint(t.app, f, { on_behalf_of: child.partner.id });
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
    await domainsOf(t.app).partners.setStatus(child.partner.id, "suspended");
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    expect((await redeem(t.app, pending.ticket)).statusCode).toBe(403);
    // The parent's own sessions are untouched.
    const own = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    expect((await verify(t.app, own)).statusCode).toBe(200);
  });

  it("refuses a cross-site or same-site logout and keeps the session (one same-origin rule)", async () => {
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    for (const headers of [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
    ]) {
      const forged = await t.app.inject({
        method: "POST",
        url: "/logout",
        headers: { cookie: `handoff_session=${cookie}`, ...headers },
      });
      expect(forged.statusCode, JSON.stringify(headers)).toBe(403);
      expect(forged.headers["set-cookie"]).toBeUndefined();
    }
    expect((await verify(t.app, cookie)).statusCode).toBe(200);
    // A sibling subdomain cannot spend a login link either.
    const minted = await mint(t.app, f);
    const sibling = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: { "sec-fetch-site": "same-site" },
    });
    expect(sibling.statusCode).toBe(403);
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
  });

  it("ends all of a user's tickets and sessions on request", async () => {
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const pending = await mint(t.app, f);
    const auth = { authorization: `Bearer ${f.token}` };
    const tickets = await t.app.inject({
      method: "POST",
      url: `/v1/users/${pending.user_id}/tickets/revoke`,
      headers: auth,
    });
    expect(tickets.json()).toEqual({ revoked: 1 });
    const sessions = await t.app.inject({
      method: "POST",
      url: `/v1/users/${pending.user_id}/sessions/revoke`,
      headers: auth,
    });
    expect(sessions.json()).toEqual({ ended: 1 });
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    expect((await redeem(t.app, pending.ticket)).statusCode).toBe(410);
  });

  it("keeps the partner's auth_token sealed at rest and away from apps not allowed to see it", async () => {
    const minted = await mint(t.app, f, { partner_data: { auth_token: "tpd-secret-123", x: 1 } });
    const row = await t.database.read
      .selectFrom("tickets")
      .selectAll()
      .where("id", "=", minted.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain("tpd-secret-123");
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    const ask = () =>
      t.app.inject({
        method: "POST",
        url: "/v1/sessions/introspect",
        payload: { token: cookie, client_id: f.appId, client_secret: f.appSecret },
      });
    expect((await ask()).json().partner_data).toEqual({ x: 1 });
    await domainsOf(t.app).apps.update(f.appId, { seesAuthToken: true });
    expect((await ask()).json().partner_data).toEqual({ x: 1, auth_token: "tpd-secret-123" });
  });

  it("answers introspection only to the app's own credentials, about its own sessions", async () => {
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const wrong = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: f.appId, client_secret: "has_wrong" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe("invalid_client");
    // A Basic header that is not what it should be is the same 401, never a 500.
    for (const credentials of [`${f.appId}:%zz`, "no-colon", `:${f.appSecret}`]) {
      const odd = await t.app.inject({
        method: "POST",
        url: "/v1/sessions/introspect",
        headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
        payload: { token: cookie },
      });
      expect(odd.statusCode, credentials).toBe(401);
    }
    const other = await domainsOf(t.app).apps.create({
      name: "Other",
      baseUrl: "https://o.example",
    });
    const otherSecret = await domainsOf(t.app).apps.rotateSecret(other.id);
    const foreign = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: other.id, client_secret: otherSecret },
    });
    expect(foreign.json()).toEqual({ active: false });
  });

  it("updates the user's attributes on each mint that carries them, one row per (partner, id)", async () => {
    await mint(t.app, f, { user: { id: "u-9", email: "Old@Example.com", name: "Old" } });
    const again = await mint(t.app, f, {
      user: { id: "u-9", phone: { number: "5550100", country_code: "+1" } },
    });
    const rows = await t.database.read
      .selectFrom("users")
      .selectAll()
      .where("external_id", "=", "u-9")
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: again.user_id,
      email: "Old@Example.com",
      email_canonical: "old@example.com",
      name: "Old",
      phone_number: "5550100",
      phone_country_code: "+1",
    });
  });

  it("writes the user only when a mint changes an attribute", async () => {
    const updatedAt = async () =>
      (
        await t.database.read
          .selectFrom("users")
          .select("updated_at")
          .where("external_id", "=", "u-10")
          .executeTakeFirstOrThrow()
      ).updated_at;
    const first = await mint(t.app, f, { user: { id: "u-10", email: "a@example.com" } });
    const created = await updatedAt();
    t.clock.advance(60_000);
    const same = await mint(t.app, f, { user: { id: "u-10", email: "a@example.com" } });
    expect(same.user_id).toBe(first.user_id);
    expect(await updatedAt()).toBe(created);
    const changed = await mint(t.app, f, { user: { id: "u-10", email: "b@example.com" } });
    expect(changed.user_id).toBe(first.user_id);
    expect(await updatedAt()).toBe(created + 60_000);
  });
  it("notes why a link failed when only its page was opened, once per reason (issue 28)", async () => {
    const auditOf = (id: string) =>
      domainsOf(t.app)
        .database.read.selectFrom("audit_log")
        .select(["outcome", "detail"])
        .where("action", "=", "ticket.redeem")
        .where("subject", "=", id)
        .execute();
    const used = await mint(t.app, f);
    expect((await redeem(t.app, used.ticket)).statusCode).toBe(303);
    for (let i = 0; i < 3; i++) {
      const page = await t.app.inject({ method: "GET", url: `/login/${used.ticket}` });
      expect(page.statusCode).toBe(410);
    }
    const usedStatus = await ticketStatus(t.app, f, used.id);
    expect(usedStatus.last_failure).toMatchObject({ reason: "already_used" });
    const usedEntries = await auditOf(used.id);
    expect(usedEntries.map((e) => e.outcome)).toEqual(["ok", "already_used"]);
    expect(JSON.parse(usedEntries[1]?.detail ?? "{}")).toMatchObject({ seen_on: "page" });

    const late = await mint(t.app, f);
    t.clock.advance(3600_000);
    await t.app.inject({ method: "GET", url: `/login/${late.ticket}` });
    await t.app.inject({ method: "GET", url: `/login/${late.ticket}` });
    expect((await ticketStatus(t.app, f, late.id)).last_failure).toMatchObject({
      reason: "expired",
    });
    expect((await auditOf(late.id)).map((e) => e.outcome)).toEqual(["expired"]);
  });
});

describe("the session cookie over https (SECURITY row 34)", () => {
  it("is __Host-handoff, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain", async () => {
    const t = await testApp("sqlite", { baseUrl: "https://sso.example" });
    try {
      const f = await ssoFixture(t.app);
      const minted = await mint(t.app, f);
      const landed = await redeem(t.app, minted.ticket);
      const header = String(landed.headers["set-cookie"]);
      expect(header).toMatch(/^__Host-handoff=hss_/);
      for (const flag of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) {
        expect(header).toContain(flag);
      }
      expect(header).not.toMatch(/domain=/i);
      expect(landed.headers["strict-transport-security"]).toContain("max-age=");
      const cookie = landed.cookies.find((c) => c.name === "__Host-handoff")?.value;
      const verified = await t.app.inject({
        method: "GET",
        url: "/v1/session/verify",
        headers: { cookie: `__Host-handoff=${cookie}` },
      });
      expect(verified.statusCode).toBe(200);
      // The http cookie name means nothing over https.
      const wrongName = await t.app.inject({
        method: "GET",
        url: "/v1/session/verify",
        headers: { cookie: `handoff_session=${cookie}` },
      });
      expect(wrongName.statusCode).toBe(401);
    } finally {
      await t.app.close();
    }
  });
});
