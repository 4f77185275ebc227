// Ending one user's access at once, from the management API and the console's user page; a
// link's timeline as JSON; revoking a signing key, a contract end and a partner user's password
// from the pages (issue 28: the console does everything the management API does).
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
import { mintRequest, redeem, sessionCookie, verify } from "../helpers/sso.js";

describe.each(dialects)("one user's access, a link's timeline, keys on %s", (dialect) => {
  let t: TestApp;
  let a: PartnerFixture;
  let b: PartnerFixture;
  let operator: ConsoleUser;
  let adminA: ConsoleUser;
  let adminB: ConsoleUser;
  let viewerA: ConsoleUser;
  let appId: string;

  beforeEach(async () => {
    t = await testApp(dialect);
    a = await makePartner(t.app, "Partner A");
    b = await makePartner(t.app, "Partner B");
    const domains = domainsOf(t.app);
    await domains.operators.create("ops@platform.example", PASSWORD);
    await domains.partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    await domains.partnerUsers.create(a.partnerId, "viewer@a.example", PASSWORD, {
      role: "viewer",
    });
    await domains.partnerUsers.create(b.partnerId, "admin@b.example", PASSWORD);
    operator = await signInConsole(t.app, "ops@platform.example");
    adminA = await signInConsole(t.app, "admin@a.example", a.partnerId);
    viewerA = await signInConsole(t.app, "viewer@a.example", a.partnerId);
    adminB = await signInConsole(t.app, "admin@b.example", b.partnerId);
    appId = (await domains.apps.create({ name: "Shop", baseUrl: "https://shop.example" })).id;
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** Partner A's user `external` with two live sessions and one unused link. */
  async function userWithAccess(external = "ada") {
    const token = await accessTokenFor(t.app, a);
    const mint = async () =>
      (await mintRequest(t.app, token, { user: { id: external }, app: appId })).json();
    const first = await mint();
    const cookies = [sessionCookie(await redeem(t.app, first.ticket))];
    cookies.push(sessionCookie(await redeem(t.app, (await mint()).ticket)));
    const unused = await mint();
    return { userId: first.user_id as string, firstTicket: first.id as string, cookies, unused };
  }

  /** A console page, as the signed-in person's browser asks for it. */
  const page = (user: ConsoleUser, url: string) =>
    t.app.inject({ method: "GET", url, cookies: { [COOKIE]: user.cookie } });
  /** A console form's POST, with the person's CSRF token. */
  const post = (user: ConsoleUser, url: string, fields: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url,
      cookies: { [COOKIE]: user.cookie },
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      payload: new URLSearchParams({ csrf: user.csrf, ...fields }).toString(),
    });

  it("answers a user with what is live, ends their sessions and links, and audits both (API)", async () => {
    const { userId, cookies, unused } = await userWithAccess();
    const path = `/v1/manage/partners/${a.partnerId}/users/${userId}`;
    const before = await adminA.call({ method: "GET", url: path });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({
      id: userId,
      partner_id: a.partnerId,
      external_id: "ada",
      live_sessions: 2,
      live_tickets: 1,
    });
    // Minted within the same millisecond, so compared as a set (the page orders by creation).
    expect(
      before
        .json()
        .tickets.map((x: { status: string }) => x.status)
        .sort(),
    ).toEqual(["issued", "redeemed", "redeemed"]);
    // A viewer reads it, and may not end anything.
    expect((await viewerA.call({ method: "GET", url: path })).statusCode).toBe(200);
    const refused = await viewerA.call({ method: "POST", url: `${path}/sessions/revoke` });
    expect(refused.statusCode).toBe(403);
    expect((await verify(t.app, cookies[0] as string, `?app=${appId}`)).statusCode).toBe(200);

    const ended = await adminA.call({ method: "POST", url: `${path}/sessions/revoke` });
    expect(ended.json()).toEqual({ count: 2 });
    for (const cookie of cookies) {
      expect((await verify(t.app, cookie, `?app=${appId}`)).statusCode).toBe(401);
    }
    const revoked = await adminA.call({ method: "POST", url: `${path}/tickets/revoke` });
    expect(revoked.json()).toEqual({ count: 1 });
    const late = await redeem(t.app, unused.ticket);
    expect(late.statusCode).toBe(410);
    expect(late.cookies.find((c) => c.name === "handoff_session")).toBeUndefined();
    expect((await adminA.call({ method: "GET", url: path })).json()).toMatchObject({
      live_sessions: 0,
      live_tickets: 0,
    });

    const rows = await t.database.read
      .selectFrom("audit_log")
      .select(["actor", "action", "partner_id", "subject", "detail"])
      .where("action", "in", ["user.sessions.revoke", "user.tickets.revoke"])
      .orderBy("at")
      .execute();
    expect(rows.map((r) => ({ ...r, detail: JSON.parse(r.detail ?? "null") }))).toEqual([
      {
        actor: adminA.id,
        action: "user.sessions.revoke",
        partner_id: a.partnerId,
        subject: userId,
        detail: { sessions: 2 },
      },
      {
        actor: adminA.id,
        action: "user.tickets.revoke",
        partner_id: a.partnerId,
        subject: userId,
        detail: { tickets: 1 },
      },
    ]);
  });

  it("answers a link's timeline as JSON, to the partner's people only (API)", async () => {
    const { firstTicket, userId } = await userWithAccess();
    const path = `/v1/manage/partners/${a.partnerId}/tickets/${firstTicket}/timeline`;
    const timeline = await viewerA.call({ method: "GET", url: path });
    expect(timeline.statusCode).toBe(200);
    const body = timeline.json();
    expect(body.ticket).toMatchObject({ id: firstTicket, status: "redeemed", user_id: userId });
    expect(body.session).toMatchObject({ ended_at: null, end_reason: null });
    expect(body.events.map((e: { step: string }) => e.step)).toEqual(["minted", "redeemed"]);
    expect(body.events[0]).toMatchObject({ outcome: "ok", actor: a.partnerId });
    expect(body.events[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The session's end shows once the user's sessions are ended.
    await adminA.call({
      method: "POST",
      url: `/v1/manage/partners/${a.partnerId}/users/${userId}/sessions/revoke`,
    });
    const after = (await operator.call({ method: "GET", url: path })).json();
    expect(after.events.at(-1)).toMatchObject({ step: "session_ended", outcome: "revoked" });
    expect(after.session.end_reason).toBe("revoked");
  });

  it("refuses another partner's user and link with 404, whoever asks and however", async () => {
    const { userId, firstTicket, cookies } = await userWithAccess();
    const bToken = await accessTokenFor(t.app, b);
    const bMinted = (await mintRequest(t.app, bToken, { user: { id: "bob" }, app: appId })).json();
    const requests: [ConsoleUser, InjectOptions][] = [
      [adminB, { method: "GET", url: `/v1/manage/partners/${a.partnerId}/users/${userId}` }],
      [adminB, { method: "GET", url: `/v1/manage/partners/${b.partnerId}/users/${userId}` }],
      [
        adminB,
        {
          method: "POST",
          url: `/v1/manage/partners/${b.partnerId}/users/${userId}/sessions/revoke`,
        },
      ],
      [
        adminB,
        {
          method: "POST",
          url: `/v1/manage/partners/${b.partnerId}/users/${userId}/tickets/revoke`,
        },
      ],
      [
        adminB,
        {
          method: "GET",
          url: `/v1/manage/partners/${b.partnerId}/tickets/${firstTicket}/timeline`,
        },
      ],
      [
        adminB,
        {
          method: "GET",
          url: `/v1/manage/partners/${a.partnerId}/tickets/${firstTicket}/timeline`,
        },
      ],
      [
        adminA,
        {
          method: "GET",
          url: `/v1/manage/partners/${a.partnerId}/users/${bMinted.user_id}`,
        },
      ],
      [
        adminA,
        {
          method: "GET",
          url: `/v1/manage/partners/${a.partnerId}/tickets/${bMinted.id}/timeline`,
        },
      ],
      [adminA, { method: "GET", url: `/v1/manage/partners/${a.partnerId}/users/usr_nobody` }],
    ];
    for (const [who, request] of requests) {
      const response = await who.call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(response.json().code).toBe("not_found");
    }
    // The console's pages answer the same, as pages.
    for (const url of [
      `/console/partners/${a.partnerId}/end-users/${userId}`,
      `/console/partners/${b.partnerId}/end-users/${userId}`,
    ]) {
      const response = await page(adminB, url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
    }
    const posted = await post(
      adminB,
      `/console/partners/${b.partnerId}/end-users/${userId}/sessions/revoke`,
    );
    expect(posted.statusCode).toBe(404);
    expect(posted.headers["content-type"]).toMatch(/^text\/html/);
    // Nothing of A's ended.
    expect((await verify(t.app, cookies[0] as string, `?app=${appId}`)).statusCode).toBe(200);
  });

  it("ends a user's sessions and links from their page, reached from Activity and the timeline", async () => {
    const { userId, firstTicket, cookies, unused } = await userWithAccess("ada <b>lovelace</b>");
    const userPage = `/console/partners/${a.partnerId}/end-users/${userId}`;
    const activity = await page(adminA, `/console/partners/${a.partnerId}/activity`);
    expect(activity.body).toContain(`href="${userPage}"`);
    const timeline = await page(adminA, `/console/partners/${a.partnerId}/links/${firstTicket}`);
    expect(timeline.body).toContain(`href="${userPage}"`);

    const shown = await page(adminA, userPage);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain("ada &lt;b&gt;lovelace&lt;/b&gt;");
    expect(shown.body).toContain("<strong>2</strong> live sessions");
    expect(shown.body).toContain("<strong>1</strong> unused login link");
    expect(shown.body).toContain(`href="/console/partners/${a.partnerId}/links/${firstTicket}"`);

    const ended = await post(adminA, `${userPage}/sessions/revoke`);
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe(`${userPage}?done=sessions&count=2`);
    for (const cookie of cookies) {
      expect((await verify(t.app, cookie, `?app=${appId}`)).statusCode).toBe(401);
    }
    const after = await page(adminA, ended.headers.location as string);
    expect(after.body).toContain("2 sessions ended: the user is signed out of every app.");
    expect(after.body).toContain("<strong>0</strong> live sessions");

    const revoked = await post(adminA, `${userPage}/links/revoke`);
    expect(revoked.headers.location).toBe(`${userPage}?done=links&count=1`);
    expect((await page(adminA, revoked.headers.location as string)).body).toContain(
      "1 unused login link revoked",
    );
    expect((await redeem(t.app, unused.ticket)).statusCode).toBe(410);
    const actions = await t.database.read
      .selectFrom("audit_log")
      .select(["action", "actor"])
      .where("subject", "=", userId)
      .orderBy("at")
      .execute();
    expect(actions).toEqual([
      { action: "user.sessions.revoke", actor: adminA.id },
      { action: "user.tickets.revoke", actor: adminA.id },
    ]);

    // Only fixed words reach the notice: anything else in the address shows none.
    for (const query of ["done=sessions&count=1e3", "done=x&count=1", "done=sessions&count=-1"]) {
      const odd = await page(adminA, `${userPage}?${query}`);
      expect(odd.body, query).not.toContain('class="notice"');
    }
  });

  it("shows a viewer the user's page without the buttons, and refuses their POST", async () => {
    const { userId, cookies } = await userWithAccess();
    const userPage = `/console/partners/${a.partnerId}/end-users/${userId}`;
    const shown = await page(viewerA, userPage);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain("End all sessions");
    const refused = await post(viewerA, `${userPage}/sessions/revoke`);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["content-type"]).toMatch(/^text\/html/);
    // Without the CSRF token, not even an admin.
    const forged = await t.app.inject({
      method: "POST",
      url: `${userPage}/sessions/revoke`,
      cookies: { [COOKIE]: adminA.cookie },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "csrf=wrong",
    });
    expect(forged.statusCode).toBe(403);
    expect((await verify(t.app, cookies[0] as string, `?app=${appId}`)).statusCode).toBe(200);
  });

  it("revokes a signing key from the keys page after asking, and answers a wrong one as a page", async () => {
    const [key] = (await operator.call({ method: "GET", url: "/v1/manage/keys" })).json().keys;
    const token = await accessTokenFor(t.app, a);
    const keys = await page(operator, "/console/keys");
    expect(keys.body).toContain(`href="/console/keys/${key.kid}/revoke"`);
    const ask = await page(operator, `/console/keys/${key.kid}/revoke`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain("Access tokens it signed stop working now");
    expect(ask.body).toContain(`action="/console/keys/${key.kid}/revoke"`);
    // Asking changed nothing.
    expect((await mintRequest(t.app, token, { user: { id: "u" }, app: appId })).statusCode).toBe(
      201,
    );

    const done = await post(operator, `/console/keys/${key.kid}/revoke`);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/console/keys?done=key_revoked");
    const listed = await page(operator, done.headers.location as string);
    expect(listed.body).toContain("The signing key is revoked");
    expect(listed.body).not.toContain(key.kid);
    // It was the only key: a new one signs, and what the old one signed is refused.
    const now = (await operator.call({ method: "GET", url: "/v1/manage/keys" })).json().keys;
    expect(now).toHaveLength(1);
    expect(now[0].kid).not.toBe(key.kid);
    expect((await mintRequest(t.app, token, { user: { id: "u" }, app: appId })).statusCode).toBe(
      401,
    );
    const revokedRow = await t.database.read
      .selectFrom("audit_log")
      .select(["actor", "subject"])
      .where("action", "=", "signing_key.revoke")
      .executeTakeFirst();
    expect(revokedRow).toEqual({ actor: operator.id, subject: key.kid });

    // The same key again, or one that never was: an HTML page that says so, never JSON.
    for (const url of [`/console/keys/${key.kid}/revoke`, "/console/keys/no-such-kid/revoke"]) {
      for (const response of [await page(operator, url), await post(operator, url)]) {
        expect(response.statusCode, url).toBe(404);
        expect(response.headers["content-type"]).toMatch(/^text\/html/);
        expect(response.body).toContain("no live key");
      }
    }
    // Partner users may not.
    const partner = await post(adminA, `/console/keys/${now[0].kid}/revoke`);
    expect(partner.statusCode).toBe(403);
    expect((await page(adminA, `/console/keys/${now[0].kid}/revoke`)).statusCode).toBe(403);
  });

  it("changes a partner's contract end and a partner user's password from the pages", async () => {
    const summary = `/console/partners/${a.partnerId}`;
    expect((await page(operator, summary)).body).toContain('name="contract_expires_at"');
    expect((await page(adminA, summary)).body).not.toContain('name="contract_expires_at"');
    const set = await post(operator, `${summary}/contract`, { contract_expires_at: "2031-05-20" });
    expect(set.headers.location).toBe(`${summary}?done=contract`);
    const partner = await operator.call({
      method: "GET",
      url: `/v1/manage/partners/${a.partnerId}`,
    });
    expect(partner.json().contract_expires_at).toBe("2031-05-20T23:59:59.000Z");
    expect(
      (await post(adminA, `${summary}/contract`, { contract_expires_at: "" })).statusCode,
    ).toBe(403);
    await post(operator, `${summary}/contract`, { contract_expires_at: "" });
    expect(
      (await operator.call({ method: "GET", url: `/v1/manage/partners/${a.partnerId}` })).json()
        .contract_expires_at,
    ).toBeNull();

    // The viewer's password, set by their admin: too short first, shown on the form.
    const users = await page(adminA, `${summary}/users`);
    const viewerId = (await domainsOf(t.app).partnerUsers.list(a.partnerId)).find(
      (u) => u.login === "viewer@a.example",
    )?.id as string;
    const form = `${summary}/users/${viewerId}/password`;
    expect(users.body).toContain(`href="${form}"`);
    expect((await page(viewerA, `${summary}/users`)).body).not.toContain(`href="${form}"`);
    const short = await post(adminA, form, { password: "short" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("password must be 12 to 1024 characters");
    expect(short.body).toContain('role="alert"');
    const ok = await post(adminA, form, { password: "a brand new password" });
    expect(ok.headers.location).toBe(`${summary}/users?done=password`);
    expect((await viewerA.call({ method: "GET", url: "/v1/manage/me" })).statusCode).toBe(401);
    // Partner B's admin cannot reach A's users' passwords.
    expect((await post(adminB, form, { password: "another new password" })).statusCode).toBe(404);
    expect((await page(adminB, form)).statusCode).toBe(404);
  });
});
