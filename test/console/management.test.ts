// The management API as operators and partner admins use it: sign-in, the console cookie, CSRF,
// roles, cross-partner isolation on every endpoint, secrets shown once, and the audit log.
import type { InjectOptions } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { COOKIE, type ConsoleUser, PASSWORD, signInConsole } from "../helpers/console.js";
import { mintRequest, redeem, sessionCookie } from "../helpers/sso.js";

describe.each(dialects)("management API on %s", (dialect) => {
  let t: TestApp;
  let a: PartnerFixture;
  let b: PartnerFixture;
  let operator: ConsoleUser;
  let adminA: ConsoleUser;

  beforeEach(async () => {
    t = await testApp(dialect);
    a = await makePartner(t.app, "Partner A");
    b = await makePartner(t.app, "Partner B");
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    await domainsOf(t.app).partnerUsers.create(b.partnerId, "admin@b.example", PASSWORD);
    operator = await signInConsole(t.app, "ops@platform.example");
    adminA = await signInConsole(t.app, "admin@a.example", a.partnerId);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const exchange = (partner: PartnerFixture, apiToken = partner.apiToken) =>
    t.app.inject({
      method: "POST",
      url: "/v1/auth/token",
      payload: { partner_token: partner.partnerToken, api_token: apiToken },
    });

  it("signs in with a fresh HttpOnly cookie and answers who is signed in", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/v1/manage/sign-in",
      cookies: { [COOKIE]: "hcs_planted-by-an-attacker" },
      payload: { login: "Admin@A.example", password: PASSWORD, partner_id: a.partnerId },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie?.value).toMatch(/^hcs_/);
    expect(response.json().viewer).toMatchObject({
      kind: "partner_user",
      role: "admin",
      partner_id: a.partnerId,
      name: "admin@a.example",
    });
    const me = await adminA.call({ method: "GET", url: "/v1/manage/me" });
    expect(me.json().viewer.id).toBe(adminA.id);
    // No cookie, or one made up: no session.
    const anonymous = await t.app.inject({ method: "GET", url: "/v1/manage/me" });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe("no_console_session");
    const planted = await t.app.inject({
      method: "GET",
      url: "/v1/manage/me",
      cookies: {
        [COOKIE]: `${adminA.cookie.slice(0, 20)}${"x".repeat(adminA.cookie.length - 20)}`,
      },
    });
    expect(planted.statusCode).toBe(401);
  });

  it("uses __Host- cookies that are Secure when served over https", async () => {
    const https = await testApp(dialect, { baseUrl: "https://sso.example" });
    try {
      await domainsOf(https.app).operators.create("ops@platform.example", PASSWORD);
      const response = await https.app.inject({
        method: "POST",
        url: "/v1/manage/sign-in",
        payload: { login: "ops@platform.example", password: PASSWORD },
      });
      const cookie = response.cookies.find((c) => c.name === "__Host-handoff-console");
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, path: "/" });
      expect(cookie).not.toHaveProperty("domain");
    } finally {
      await https.app.close();
    }
  });

  it("refuses wrong passwords alike, locks after three, and throttles a guessed login, not its neighbours", async () => {
    const attempt = (login: string, password: string, partnerId?: string) =>
      t.app.inject({
        method: "POST",
        url: "/v1/manage/sign-in",
        payload: { login, password, ...(partnerId ? { partner_id: partnerId } : {}) },
      });
    const unknown = await attempt("nobody@platform.example", "wrong password!");
    const wrong = await attempt("ops@platform.example", "wrong password!");
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().code).toBe(unknown.json().code);
    // Partner B's admin is not partner A's user.
    expect((await attempt("admin@b.example", PASSWORD, a.partnerId)).statusCode).toBe(401);
    await attempt("ops@platform.example", "wrong password!");
    const third = await attempt("ops@platform.example", "wrong password!");
    expect(third.statusCode).toBe(403);
    expect(third.json().code).toBe("account_locked");
    expect(Number(third.headers["retry-after"])).toBeGreaterThan(0);
    // Locked: even the right password is refused until the lock passes.
    expect((await attempt("ops@platform.example", PASSWORD)).json().code).toBe("account_locked");
    t.clock.advance(t.config.partnerUserLockSeconds * 1000 + 1);
    expect((await attempt("ops@platform.example", PASSWORD)).statusCode).toBe(200);
    // An address that keeps guessing one login is refused before any password of it is
    // checked; another person behind the same address (a NAT, a proxy) still signs in.
    for (let i = 0; i < t.config.authFailuresPerMinute; i++) {
      expect((await attempt("guess@platform.example", `wrong password ${i}`)).statusCode).toBe(401);
    }
    const throttled = await attempt("guess@platform.example", "wrong password!");
    expect(throttled.statusCode).toBe(429);
    expect((await attempt("ops@platform.example", PASSWORD)).statusCode).toBe(200);
    expect(throttled.headers["retry-after"]).toBeDefined();
  });

  it("refuses a change without the CSRF token, or from another site, and a cross-site sign-in", async () => {
    const create = (headers: Record<string, string>) =>
      t.app.inject({
        method: "POST",
        url: `/v1/manage/partners/${a.partnerId}/api-tokens`,
        cookies: { [COOKIE]: adminA.cookie },
        headers,
        payload: { name: "ci" },
      });
    for (const headers of [
      {},
      { "x-csrf-token": "not-the-token" },
      { "x-csrf-token": operator.csrf },
      { "x-csrf-token": adminA.csrf, origin: "https://evil.example" },
      { "x-csrf-token": adminA.csrf, "sec-fetch-site": "cross-site" },
    ]) {
      const response = await create(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json().code).toBe("csrf_failed");
    }
    expect((await create({ "x-csrf-token": adminA.csrf })).statusCode).toBe(201);
    const crossSite = await t.app.inject({
      method: "POST",
      url: "/v1/manage/sign-in",
      headers: { origin: "https://evil.example" },
      payload: { login: "ops@platform.example", password: PASSWORD },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.cookies).toHaveLength(0);
  });

  it("shows an API token once; the list never holds it; revoking it stops the next exchange", async () => {
    const created = await adminA.call({
      method: "POST",
      url: `/v1/manage/partners/${a.partnerId}/api-tokens`,
      payload: { name: "checkout backend", expires_at: "2027-06-01T00:00:00Z" },
    });
    expect(created.statusCode).toBe(201);
    const { token, api_token: listed } = created.json();
    expect(token).toMatch(/^hak_/);
    expect(listed).toMatchObject({
      name: "checkout backend",
      expires_at: "2027-06-01T00:00:00.000Z",
    });
    expect((await exchange(a, token)).statusCode).toBe(200);
    const list = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/api-tokens`,
    });
    expect(list.body).not.toContain(token.slice(20));
    const row = list.json().api_tokens.find((x: { id: string }) => x.id === listed.id);
    expect(row.last_used_at).not.toBeNull();
    expect(Object.keys(row)).not.toContain("secret_hash");
    // The database holds only the hash of the secret part.
    const stored = await t.database.read
      .selectFrom("api_tokens")
      .select("secret_hash")
      .where("id", "=", listed.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(token.slice(20));
    const revoked = await adminA.call({
      method: "DELETE",
      url: `/v1/manage/partners/${a.partnerId}/api-tokens/${listed.id}`,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await exchange(a, token)).json().code).toBe("invalid_api_token");
  });

  it("walks every partner endpoint as partner A against partner B's objects: 404 every time", async () => {
    const bUser = (await domainsOf(t.app).partnerUsers.list(b.partnerId))[0]?.id as string;
    const other = b.partnerId;
    const store = await domainsOf(t.app).apps.create({ name: "S", baseUrl: "https://s.example" });
    const bTicket = await mintRequest(t.app, await accessTokenFor(t.app, b), {
      user: { id: "b-user" },
      app: store.id,
    });
    const { id: bTicketId, user_id: bEndUser } = bTicket.json();
    const requests: InjectOptions[] = [
      { method: "GET", url: `/v1/manage/partners/${other}` },
      { method: "GET", url: `/v1/manage/partners/${other}/api-tokens` },
      { method: "POST", url: `/v1/manage/partners/${other}/api-tokens`, payload: { name: "x" } },
      { method: "DELETE", url: `/v1/manage/partners/${other}/api-tokens/${b.apiTokenId}` },
      // Partner B's token under partner A's own path: not A's, so not found either.
      { method: "DELETE", url: `/v1/manage/partners/${a.partnerId}/api-tokens/${b.apiTokenId}` },
      { method: "POST", url: `/v1/manage/partners/${other}/partner-token`, payload: {} },
      { method: "POST", url: `/v1/manage/partners/${other}/sso-key` },
      { method: "GET", url: `/v1/manage/partners/${other}/partner-users` },
      {
        method: "POST",
        url: `/v1/manage/partners/${other}/partner-users`,
        payload: { login: "x@b.example", password: PASSWORD },
      },
      {
        method: "POST",
        url: `/v1/manage/partners/${other}/partner-users/${bUser}/password`,
        payload: { password: PASSWORD },
      },
      {
        method: "POST",
        url: `/v1/manage/partners/${a.partnerId}/partner-users/${bUser}/password`,
        payload: { password: PASSWORD },
      },
      { method: "POST", url: `/v1/manage/partners/${other}/partner-users/${bUser}/unlock` },
      { method: "POST", url: `/v1/manage/partners/${a.partnerId}/partner-users/${bUser}/unlock` },
      { method: "GET", url: `/v1/manage/partners/${other}/tickets` },
      { method: "GET", url: `/v1/manage/partners/${other}/activity` },
      { method: "GET", url: "/v1/manage/partners/ptn_does_not_exist" },
      { method: "GET", url: `/v1/manage/partners/${other}/tickets/${bTicketId}` },
      { method: "GET", url: `/v1/manage/partners/${a.partnerId}/tickets/${bTicketId}` },
      { method: "DELETE", url: `/v1/manage/partners/${a.partnerId}/tickets/${bTicketId}` },
      { method: "DELETE", url: `/v1/manage/partners/${other}/tickets/${bTicketId}` },
      {
        method: "POST",
        url: `/v1/manage/partners/${a.partnerId}/users/${bEndUser}/sessions/revoke`,
      },
      {
        method: "POST",
        url: `/v1/manage/partners/${a.partnerId}/users/${bEndUser}/tickets/revoke`,
      },
      { method: "POST", url: `/v1/manage/partners/${other}/users/${bEndUser}/tickets/revoke` },
    ];
    for (const request of requests) {
      const response = await adminA.call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(response.json().code).toBe("not_found");
    }
    const listed = await adminA.call({ method: "GET", url: "/v1/manage/partners" });
    expect(listed.json().partners.map((p: { id: string }) => p.id)).toEqual([a.partnerId]);
    // Nothing of B's changed.
    expect((await exchange(b)).statusCode).toBe(200);
    expect((await domainsOf(t.app).tickets.status(b.partnerId, bTicketId)).status).toBe("issued");
    expect(await domainsOf(t.app).partnerUsers.list(b.partnerId)).toHaveLength(1);
  });

  it("lets a partner admin manage a linked sub-account, and no other", async () => {
    await domainsOf(t.app).partners.link(a.partnerId, b.partnerId);
    const tokens = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${b.partnerId}/api-tokens`,
    });
    expect(tokens.statusCode).toBe(200);
    await domainsOf(t.app).partners.unlink(a.partnerId, b.partnerId);
    const after = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${b.partnerId}/api-tokens`,
    });
    expect(after.statusCode).toBe(404);
  });

  it("refuses operator-only endpoints to partner users with 403", async () => {
    const requests: InjectOptions[] = [
      { method: "POST", url: "/v1/manage/partners", payload: { name: "Mine" } },
      { method: "PATCH", url: `/v1/manage/partners/${a.partnerId}`, payload: { status: "active" } },
      { method: "PUT", url: `/v1/manage/partners/${a.partnerId}/sub-accounts/${b.partnerId}` },
      { method: "DELETE", url: `/v1/manage/partners/${a.partnerId}/sub-accounts/${b.partnerId}` },
      { method: "GET", url: "/v1/manage/audit" },
      { method: "GET", url: "/v1/manage/apps" },
      { method: "POST", url: "/v1/manage/apps", payload: { name: "x", url: "https://x.example" } },
      { method: "GET", url: "/v1/manage/apps/app_x" },
      { method: "PATCH", url: "/v1/manage/apps/app_x", payload: { name: "y" } },
      { method: "POST", url: "/v1/manage/apps/app_x/secret" },
      { method: "GET", url: "/v1/manage/keys" },
      { method: "POST", url: "/v1/manage/keys" },
      { method: "DELETE", url: "/v1/manage/keys/some-kid" },
    ];
    for (const request of requests) {
      const response = await adminA.call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(response.json().code).toBe("forbidden");
    }
  });

  it("lets a viewer read and nothing more", async () => {
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "viewer@a.example", PASSWORD, {
      role: "viewer",
    });
    const viewer = await signInConsole(t.app, "viewer@a.example", a.partnerId);
    const read = await viewer.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/api-tokens`,
    });
    expect(read.statusCode).toBe(200);
    for (const request of [
      {
        method: "POST",
        url: `/v1/manage/partners/${a.partnerId}/api-tokens`,
        payload: { name: "x" },
      },
      { method: "DELETE", url: `/v1/manage/partners/${a.partnerId}/api-tokens/${a.apiTokenId}` },
      { method: "POST", url: `/v1/manage/partners/${a.partnerId}/partner-token`, payload: {} },
      { method: "POST", url: `/v1/manage/partners/${a.partnerId}/sso-key` },
    ] as InjectOptions[]) {
      const response = await viewer.call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
    }
    expect((await exchange(a)).statusCode).toBe(200);
  });

  it("refuses a new partner whose contract has already ended, in words (issue 28)", async () => {
    const past = await operator.call({
      method: "POST",
      url: "/v1/manage/partners",
      payload: { name: "Partner Late", contract_expires_at: "2020-01-01T00:00:00Z" },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().detail).toContain("contract end is in the past");
    const partners = await operator.call({ method: "GET", url: "/v1/manage/partners" });
    expect(partners.body).not.toContain("Partner Late");
    const future = await operator.call({
      method: "POST",
      url: "/v1/manage/partners",
      payload: { name: "Partner Soon", contract_expires_at: "2999-01-01T00:00:00Z" },
    });
    expect(future.statusCode).toBe(201);
  });

  it("records every change with the person who made it", async () => {
    const created = await operator.call({
      method: "POST",
      url: "/v1/manage/partners",
      payload: { name: "Partner C" },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().partner_token).toMatch(/^hpt_/);
    const c = created.json().partner.id;
    await operator.call({
      method: "PATCH",
      url: `/v1/manage/partners/${c}`,
      payload: { status: "suspended" },
    });
    await adminA.call({
      method: "POST",
      url: `/v1/manage/partners/${a.partnerId}/partner-token`,
      payload: {},
    });
    await adminA.call({ method: "POST", url: `/v1/manage/partners/${a.partnerId}/sso-key` });
    const audit = await operator.call({ method: "GET", url: "/v1/manage/audit" });
    const entries = audit.json().entries as { actor: string; action: string; partner_id: string }[];
    expect(entries.map((e) => [e.actor, e.action, e.partner_id]).slice(0, 4)).toEqual([
      [adminA.id, "sso_key.rotate", a.partnerId],
      [adminA.id, "partner_token.rotate", a.partnerId],
      [operator.id, "partner.suspend", c],
      [operator.id, "partner.create", c],
    ]);
    // The audit never holds a secret.
    expect(audit.body).not.toMatch(/hpt_|hsk_|hak_/);
    const byActor = await operator.call({
      method: "GET",
      url: `/v1/manage/audit?actor=${adminA.id}`,
    });
    expect(byActor.json().entries).toHaveLength(2);
    // Paging by query string (issue 28): limit is text in a URL, read as the integer it spells.
    const page = await operator.call({ method: "GET", url: "/v1/manage/audit?limit=2" });
    expect(page.statusCode).toBe(200);
    expect(page.json().entries).toHaveLength(2);
    for (const url of [
      `/v1/manage/partners/${a.partnerId}/tickets?limit=2`,
      `/v1/manage/partners/${a.partnerId}/activity?limit=5`,
    ]) {
      expect((await operator.call({ method: "GET", url })).statusCode, url).toBe(200);
    }
    for (const bad of ["abc", "0", "101", "2.5"]) {
      const refused = await operator.call({ method: "GET", url: `/v1/manage/audit?limit=${bad}` });
      expect(refused.statusCode, bad).toBe(400);
    }
    // A partner admin sees its own partner's activity only.
    const activity = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/activity`,
    });
    expect(
      activity.json().entries.every((e: { partner_id: string }) => e.partner_id === a.partnerId),
    ).toBe(true);
  });

  it("ends a console session at sign-out, when idle, at its absolute limit and on a password reset", async () => {
    const me = (user: ConsoleUser) => user.call({ method: "GET", url: "/v1/manage/me" });
    const out = await adminA.call({ method: "POST", url: "/v1/manage/sign-out" });
    expect(out.statusCode).toBe(204);
    expect((await me(adminA)).statusCode).toBe(401);

    const idle = await signInConsole(t.app, "admin@a.example", a.partnerId);
    t.clock.advance(t.config.consoleIdleMinutes * 60_000 - 1000);
    expect((await me(idle)).statusCode).toBe(200);
    t.clock.advance(t.config.consoleIdleMinutes * 60_000 - 1000);
    expect((await me(idle)).statusCode).toBe(200);
    t.clock.advance(t.config.consoleIdleMinutes * 60_000 + 1);
    expect((await me(idle)).statusCode).toBe(401);

    const busy = await signInConsole(t.app, "admin@a.example", a.partnerId);
    for (let spent = 0; spent < t.config.consoleSessionHours * 60; spent += 20) {
      t.clock.advance(20 * 60_000);
      if (spent + 20 < t.config.consoleSessionHours * 60)
        expect((await me(busy)).statusCode).toBe(200);
    }
    expect((await me(busy)).statusCode).toBe(401);

    const reset = await signInConsole(t.app, "admin@a.example", a.partnerId);
    // The operator signed in hours ago (on the test's clock): again.
    operator = await signInConsole(t.app, "ops@platform.example");
    const user = await operator.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/partner-users`,
    });
    const id = user.json().users[0].id;
    const done = await operator.call({
      method: "POST",
      url: `/v1/manage/partners/${a.partnerId}/partner-users/${id}/password`,
      payload: { password: "a new long password" },
    });
    expect(done.statusCode).toBe(204);
    expect((await me(reset)).statusCode).toBe(401);
  });

  it("answers a suspended partner's admin as signed out", async () => {
    await domainsOf(t.app).partners.setStatus(a.partnerId, "suspended");
    expect((await adminA.call({ method: "GET", url: "/v1/manage/me" })).statusCode).toBe(401);
  });

  it("lists the partner's login links with why one failed", async () => {
    const app = await domainsOf(t.app).apps.create({
      name: "Store",
      baseUrl: "https://store.example",
    });
    const minted = await mintRequest(t.app, await accessTokenFor(t.app, a), {
      user: { id: "u1" },
      app: app.id,
      bind_ip: "203.0.113.9",
    });
    expect(minted.statusCode).toBe(201);
    expect((await redeem(t.app, minted.json().ticket)).statusCode).toBe(403);
    const tickets = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/tickets`,
    });
    expect(tickets.json().tickets[0]).toMatchObject({ status: "rejected", reason: "ip_mismatch" });
    const activity = await adminA.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}/activity?action=ticket.redeem`,
    });
    expect(activity.json().entries[0]).toMatchObject({
      outcome: "ip_mismatch",
      detail: { bound_ip: "203.0.113.9" },
    });
    // One link looked up and revoked; then all of the user's, and their sessions.
    const token = await accessTokenFor(t.app, a);
    const unused = (await mintRequest(t.app, token, { user: { id: "u1" }, app: app.id })).json();
    const path = `/v1/manage/partners/${a.partnerId}/tickets/${unused.id}`;
    expect((await adminA.call({ method: "GET", url: path })).json().status).toBe("issued");
    const revoked = await adminA.call({ method: "DELETE", url: path });
    expect(revoked.json()).toMatchObject({ status: "revoked" });
    const live = (await mintRequest(t.app, token, { user: { id: "u1" }, app: app.id })).json();
    const cookie = sessionCookie(await redeem(t.app, live.ticket));
    await mintRequest(t.app, token, { user: { id: "u1" }, app: app.id });
    const user = `/v1/manage/partners/${a.partnerId}/users/${live.user_id}`;
    const ended = await adminA.call({ method: "POST", url: `${user}/sessions/revoke` });
    expect(ended.json()).toEqual({ count: 1 });
    const verify = await t.app.inject({
      method: "GET",
      url: `/v1/session/verify?app=${app.id}`,
      cookies: { handoff_session: cookie },
    });
    expect(verify.statusCode).toBe(401);
    expect((await adminA.call({ method: "POST", url: `${user}/tickets/revoke` })).json()).toEqual({
      count: 1,
    });
    const entries = (
      await operator.call({ method: "GET", url: `/v1/manage/audit?actor=${adminA.id}` })
    ).json().entries;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      "user.tickets.revoke",
      "user.sessions.revoke",
      "ticket.revoke",
    ]);
  });
});
