// One-time codes at redemption, mailed through a real SMTP listener (smtp-server): the step
// never sends on a GET, the code is hashed and its message sealed, wrong codes and resends are
// bounded, one of two concurrent right codes wins, and the session remembers the code.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, pruneNow, type TestApp, testApp } from "../helpers/app.js";
import { type Mailbox, startSmtp } from "../helpers/smtp.js";
import { mintRequest, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

let smtp: Mailbox;
let smtpUrl: string;
const codeFor = (to: string, after?: number) => smtp.codeFor(to, after);

beforeAll(async () => {
  smtp = await startSmtp();
  smtpUrl = smtp.url;
});
afterAll(async () => {
  await smtp.close();
});

describe.each(dialects)("one-time codes on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;

  beforeEach(async () => {
    smtp.mail.length = 0;
    t = await testApp(dialect, { smtpUrl });
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const mintWith = async (otp: string, user: Record<string, unknown>, extra = {}) =>
    mintRequest(t.app, f.token, { user, app: f.appId, otp, ...extra });
  const browser = {
    "sec-fetch-site": "same-origin",
    "content-type": "application/x-www-form-urlencoded",
  };
  const send = (ticket: string, fields: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url: `/login/${ticket}/otp`,
      headers: browser,
      payload: new URLSearchParams(fields).toString(),
    });
  const enter = (ticket: string, code?: string) =>
    t.app.inject({
      method: "POST",
      url: `/login/${ticket}`,
      headers: browser,
      payload: new URLSearchParams(code === undefined ? {} : { code }).toString(),
    });
  const other = (code: string) => (code === "000000" ? "111111" : "000000");

  it("refuses at mint a mode whose destination is missing, or not allowed", async () => {
    const noEmail = await mintWith("primary_email", { id: "u-no-email" });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.json().detail).toContain("needs the user's email");
    const phone = await mintWith("primary_phone", {
      id: "u-phone",
      phone: { number: "9800000000", country_code: "+91" },
    });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().detail).toContain("need the platform's SMS sender");
    const noAlternate = await mintWith(
      "alternate_email",
      { id: "u-alt", email: "ada@example.com" },
      { fields: { email: { support_alternate: false } } },
    );
    expect(noAlternate.statusCode).toBe(400);
    expect(noAlternate.json().detail).toContain("support_alternate");
    const rows = await t.database.read.selectFrom("tickets").select("id").execute();
    expect(rows).toHaveLength(0);
  });

  it("sends a code only on a POST, takes it once, and starts a session that remembers it", async () => {
    const minted = (await mintWith("primary_email", { id: "u1", email: "ada@example.com" })).json();
    for (let i = 0; i < 3; i++) {
      const page = await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("a***@example.com");
      expect(page.body).toContain("Send me a code");
    }
    // Continuing without a code shows the step again; nothing is sent, nothing is used.
    const early = await enter(minted.ticket);
    expect(early.statusCode).toBe(200);
    expect(early.cookies).toHaveLength(0);
    expect(await t.database.read.selectFrom("outbox").select("id").execute()).toHaveLength(0);
    expect((await send(minted.ticket)).statusCode).toBe(303);
    const code = await codeFor("ada@example.com");
    // Neither the code's row nor its message holds the code in the clear.
    const stored = JSON.stringify([
      await t.database.read.selectFrom("ticket_otp").selectAll().execute(),
      await t.database.read.selectFrom("outbox").selectAll().execute(),
    ]);
    expect(stored).not.toContain(code);
    expect(t.logs.join("\n")).not.toContain(code);
    const page = await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` });
    expect(page.body).toContain("We sent a code to");
    const wrong = await enter(minted.ticket, other(code));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("That code is not right");
    const right = await enter(minted.ticket, code);
    expect(right.statusCode).toBe(303);
    const cookie = sessionCookie(right);
    expect(cookie).toMatch(/^hss_/);
    const session = await t.database.read
      .selectFrom("sessions")
      .select(["otp_mode", "otp_verified_at"])
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ otp_mode: "primary_email", otp_verified_at: t.clock.now() });
    // Apps learn it: forward-auth's methods, and introspection's mode and time.
    const verified = await t.app.inject({
      method: "GET",
      url: `/v1/session/verify?app=${f.appId}`,
      cookies: { handoff_session: cookie },
    });
    expect(verified.headers["x-handoff-auth-methods"]).toBe("link otp mfa");
    const introspected = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: f.appId, client_secret: f.appSecret },
    });
    expect(introspected.json().otp).toEqual({
      mode: "primary_email",
      verified_at: new Date(t.clock.now()).toISOString(),
    });
    // Spent: the same code again finds a used link.
    expect((await enter(minted.ticket, code)).statusCode).toBe(410);
    // The sent message (sealed) goes a day later; nothing of the code is left.
    t.clock.advance(25 * 3600_000);
    const pruned = await pruneNow(t.app, {
      ticketRetentionDays: 7,
      auditRetentionDays: 90,
    });
    expect(pruned.outbox).toBe(1);
  });

  it("bounds resends: 30 s apart, three in all", async () => {
    const minted = (await mintWith("primary_email", { id: "u2", email: "bo@example.com" })).json();
    expect((await send(minted.ticket)).statusCode).toBe(303);
    const soon = await send(minted.ticket);
    expect(soon.statusCode).toBe(429);
    expect(soon.headers["retry-after"]).toBeDefined();
    const first = await codeFor("bo@example.com");
    t.clock.advance(31_000);
    expect((await send(minted.ticket)).statusCode).toBe(303);
    const second = await codeFor("bo@example.com", 1);
    // A new code replaces the old one.
    expect((await enter(minted.ticket, first === second ? other(first) : first)).statusCode).toBe(
      401,
    );
    t.clock.advance(31_000);
    expect((await send(minted.ticket)).statusCode).toBe(303);
    t.clock.advance(31_000);
    const fourth = await send(minted.ticket);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.body).toContain("No more codes");
  });

  it("rejects the link after five wrong codes, and refuses a code that expired or is another link's", async () => {
    // Links that outlive their codes (an hour; a code: 10 minutes).
    const long = { ttl_seconds: 3600 };
    const a = (await mintWith("primary_email", { id: "u3", email: "cy@example.com" }, long)).json();
    const b = (await mintWith("primary_email", { id: "u4", email: "di@example.com" }, long)).json();
    await send(a.ticket);
    await send(b.ticket);
    const codeA = await codeFor("cy@example.com");
    const codeB = await codeFor("di@example.com");
    if (codeA !== codeB) expect((await enter(b.ticket, codeA)).statusCode).toBe(401);
    t.clock.advance(10 * 60_000 + 1000);
    const late = await enter(b.ticket, codeB);
    expect(late.statusCode).toBe(401);
    // The right code, too late, is called expired, not wrong (issue 28).
    expect(late.body).toContain("That code has expired");
    expect(late.body).not.toContain("not right");
    for (let i = 0; i < 4; i++) expect((await enter(a.ticket, other(codeA))).statusCode).toBe(401);
    const fifth = await enter(a.ticket, other(codeA));
    expect(fifth.statusCode).toBe(403);
    const status = await t.app.inject({
      method: "GET",
      url: `/v1/sso/tickets/${a.id}`,
      headers: { authorization: `Bearer ${f.token}` },
    });
    expect(status.json()).toMatchObject({ status: "rejected", reason: "otp_failed" });
    expect((await enter(a.ticket, codeA)).statusCode).toBe(403);
  });

  it("gives one session to two concurrent submissions of the right code", async () => {
    const minted = (await mintWith("primary_email", { id: "u5", email: "ed@example.com" })).json();
    await send(minted.ticket);
    const code = await codeFor("ed@example.com");
    const answers = await Promise.all([enter(minted.ticket, code), enter(minted.ticket, code)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([303, 410]);
    expect(await t.database.read.selectFrom("sessions").select("id").execute()).toHaveLength(1);
  });

  it("mails the code to the address the person types for alternate_email", async () => {
    const minted = (
      await mintWith("alternate_email", { id: "u6", email: "fa@example.com" })
    ).json();
    const page = await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` });
    expect(page.body).toContain('name="alternate"');
    expect((await send(minted.ticket, { alternate: "not an address" })).statusCode).toBe(400);
    expect((await send(minted.ticket, { alternate: "fa.work@example.org" })).statusCode).toBe(303);
    const code = await codeFor("fa.work@example.org");
    expect(smtp.mail.filter((m) => m.to === "fa@example.com")).toHaveLength(0);
    const landed = await enter(minted.ticket, code);
    expect(landed.statusCode).toBe(303);
    // The address the person typed is on the session, and apps learn it.
    const introspected = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: sessionCookie(landed), client_id: f.appId, client_secret: f.appSecret },
    });
    expect(introspected.json().otp).toMatchObject({
      mode: "alternate_email",
      alternate_email: "fa.work@example.org",
    });
    expect(introspected.json().user.email).toBe("fa@example.com");
  });
});

describe("one-time codes in the demo, without a mail server", () => {
  it("land in the demo mailbox, and nowhere without the demo", async () => {
    const demo = await testApp("sqlite", { demo: true });
    try {
      const f = await ssoFixture(demo.app);
      const minted = await mintRequest(demo.app, f.token, {
        user: { id: "u1", email: "ada@example.com" },
        app: f.appId,
        otp: "primary_email",
      });
      expect(minted.statusCode).toBe(201);
      const sent = await demo.app.inject({
        method: "POST",
        url: `/login/${minted.json().ticket}/otp`,
        headers: { "sec-fetch-site": "same-origin" },
      });
      expect(sent.statusCode).toBe(303);
      let page = "";
      for (let i = 0; i < 100 && !/\d{6} is your code/.test(page); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        page = (await demo.app.inject({ method: "GET", url: "/demo/mailbox" })).body;
      }
      expect(page).toMatch(/\d{6} is your code for Storefront/);
      expect(page).toContain("To ada@example.com");
    } finally {
      await demo.app.close();
    }
    const production = await testApp("sqlite", { demo: false });
    try {
      expect(
        (await production.app.inject({ method: "GET", url: "/demo/mailbox" })).statusCode,
      ).toBe(404);
    } finally {
      await production.app.close();
    }
  });
});
