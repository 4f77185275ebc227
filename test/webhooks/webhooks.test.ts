// Event webhooks: events written with the change they report, delivered off the request path,
// signed with Standard Webhooks (verified with the `standardwebhooks` package), retried with
// backoff for 3 days, listed and replayed through the management API; partners hear only their
// own events, operators' endpoints hear every partner's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { PASSWORD, signInConsole } from "../helpers/console.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";
import { mint, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

const browser = {
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
};

let receiver: PartnerEndpoint;
beforeAll(async () => {
  receiver = await startPartnerEndpoint();
});
afterAll(async () => {
  await receiver.close();
});

describe.each(dialects)("event webhooks on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;

  beforeEach(async () => {
    receiver.calls.length = 0;
    receiver.answer = { status: 204, body: "" };
    t = await testApp(dialect, { outboundAllow: ["127.0.0.1/32"] });
    // Receivers check the signature's timestamp against their own (real) clock.
    t.clock.set(Date.now());
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const deliver = () => domainsOf(t.app).webhooks.deliver(t.app.log);
  /**
   * Runs deliveries until the receiver has heard `n` calls (bounded): the app's own worker, every
   * 2 s, may have claimed some first on a slow machine, and then this run delivers fewer.
   */
  const heard = async (n: number) => {
    for (let i = 0; i < 100 && receiver.calls.length < n; i++) {
      await deliver();
      if (receiver.calls.length < n) await new Promise((r) => setTimeout(r, 20));
    }
    return receiver.calls.length;
  };
  const types = () => receiver.calls.map((c) => (c.body as { type: string }).type);

  it("delivers a partner's events, signed, once each; another partner's never", async () => {
    const { secret } = await domainsOf(t.app).webhooks.createEndpoint(f.partnerId, {
      url: `${receiver.url}/hooks`,
      events: ["user.created", "ticket.redeemed", "session.ended", "api_token.created"],
    });
    receiver.secret = secret;
    const other = await ssoFixture(t.app, {}, "Other partner");
    const minted = await mint(t.app, f, { user: { id: "u-hook", email: "ada@example.com" } });
    const redeemed = await t.app.inject({
      method: "POST",
      url: `/login/${minted.ticket}`,
      headers: browser,
      payload: "",
    });
    await t.app.inject({
      method: "POST",
      url: "/logout",
      cookies: { handoff_session: sessionCookie(redeemed) },
    });
    await mint(t.app, other, { user: { id: "u-other" } }); // another partner's user: not ours to hear
    await mint(t.app, f, { user: { id: "u-hook" } }); // a known user: no user.created
    expect(await heard(3)).toBe(3);
    expect(types()).toEqual(["user.created", "ticket.redeemed", "session.ended"]);
    expect(receiver.calls.every((c) => c.verified)).toBe(true);
    const [created, used, ended] = receiver.calls.map(
      (c) => c.body as { data: Record<string, unknown> },
    );
    expect(created?.data).toEqual({ partner_id: f.partnerId, user_id: minted.user_id });
    expect(used?.data).toMatchObject({ partner_id: f.partnerId, ticket_id: minted.id });
    expect(ended?.data).toMatchObject({ reason: "logout" });
    expect(new Set(receiver.calls.map((c) => c.headers["webhook-id"])).size).toBe(3);
    expect(await deliver()).toBe(0); // nothing twice
    const rows = await t.database.read.selectFrom("webhook_deliveries").select("state").execute();
    expect(rows.map((r) => r.state)).toEqual(["delivered", "delivered", "delivered"]);
    // A newer link in the same browser replaces the session: its redemption names the one ended.
    const first = await mint(t.app, f, { user: { id: "u-hook" } });
    const firstSession = sessionCookie(
      await t.app.inject({
        method: "POST",
        url: `/login/${first.ticket}`,
        headers: browser,
        payload: "",
      }),
    );
    const second = await mint(t.app, f, { user: { id: "u-hook" } });
    await t.app.inject({
      method: "POST",
      url: `/login/${second.ticket}`,
      headers: browser,
      cookies: { handoff_session: firstSession },
      payload: "",
    });
    await deliver();
    const replacing = receiver.calls.at(-1)?.body as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(replacing.type).toBe("ticket.redeemed");
    expect(replacing.data).toMatchObject({
      ticket_id: second.id,
      replaced_session_id: expect.stringMatching(/./),
    });
  });

  it("retries a failed delivery with backoff under the same webhook-id, for 3 days, then marks it failed", async () => {
    const { secret } = await domainsOf(t.app).webhooks.createEndpoint(f.partnerId, {
      url: `${receiver.url}/hooks`,
      events: ["ticket.rejected", "api_token.revoked"],
    });
    receiver.secret = secret;
    receiver.answer = { status: 500, body: "" };
    await domainsOf(t.app).partners.revokeApiToken(f.partnerId, f.apiTokenId);
    expect(await deliver()).toBe(0);
    // The delivery log says when it is tried next (the console's "Next try").
    const [pending] = await domainsOf(t.app).webhooks.deliveries([f.partnerId]);
    expect(pending).toMatchObject({ state: "pending", attempts: 1, last_status: 500 });
    expect(pending?.next_attempt_at).toBe(new Date(t.clock.now() + 5_000).toISOString());
    expect(await deliver()).toBe(0); // not due yet: 5 s later
    t.clock.advance(5_000);
    expect(await deliver()).toBe(0);
    expect(receiver.calls).toHaveLength(2);
    expect(receiver.calls[0]?.headers["webhook-id"]).toBe(receiver.calls[1]?.headers["webhook-id"]);
    receiver.answer = { status: 200, body: "{}" };
    t.clock.advance(10_000);
    expect(await heard(3)).toBe(3);
    // A new failure, never answered well, is given up after 3 days.
    receiver.answer = { status: 503, body: "" };
    const { apiToken } = await domainsOf(t.app).partners.createApiToken(f.partnerId, { name: "x" });
    await domainsOf(t.app).partners.revokeApiToken(f.partnerId, apiToken.id);
    for (let i = 0; i < 80; i++) {
      await deliver();
      t.clock.advance(3600_000);
    }
    const failed = await t.database.read
      .selectFrom("webhook_deliveries")
      .select(["state", "attempts", "last_status"])
      .where("state", "=", "failed")
      .execute();
    expect(failed).toEqual([{ state: "failed", attempts: expect.any(Number), last_status: 503 }]);
  });

  it("lists and replays deliveries through the management API, and hears every partner for operators", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    await domainsOf(t.app).partnerUsers.create(f.partnerId, "admin@a.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    const admin = await signInConsole(t.app, "admin@a.example", f.partnerId);
    const created = await admin.call({
      method: "POST",
      url: `/v1/manage/partners/${f.partnerId}/webhooks`,
      payload: { url: `${receiver.url}/hooks`, events: ["user.created"] },
    });
    expect(created.statusCode).toBe(201);
    receiver.secret = created.json().secret;
    const everyone = await operator.call({
      method: "POST",
      url: "/v1/manage/webhooks",
      payload: { url: `${receiver.url}/all`, events: ["user.created"] },
    });
    expect(everyone.statusCode).toBe(201);
    expect((await admin.call({ method: "GET", url: "/v1/manage/webhooks" })).statusCode).toBe(403);
    const private_ = await admin.call({
      method: "POST",
      url: `/v1/manage/partners/${f.partnerId}/webhooks`,
      payload: { url: "https://169.254.169.254/hook", events: ["user.created"] },
    });
    expect(private_.statusCode).toBe(400);
    // An unknown event is named once, with the events there are (issue 28).
    const unknown = await admin.call({
      method: "POST",
      url: `/v1/manage/partners/${f.partnerId}/webhooks`,
      payload: { url: `${receiver.url}/hooks`, events: ["user.deleted"] },
    });
    expect(unknown.statusCode).toBe(400);
    const detail = unknown.json().detail as string;
    expect(detail).toContain("user.created, ticket.redeemed");
    expect(detail.match(/must be equal/g)).toHaveLength(1);
    const other = await ssoFixture(t.app, {}, "Other partner");
    await mint(t.app, f, { user: { id: "u-1" } });
    await mint(t.app, other, { user: { id: "u-2" } });
    await deliver();
    expect(receiver.calls.map((c) => c.path).sort()).toEqual(["/all", "/all", "/hooks"]);
    const listed = await admin.call({
      method: "GET",
      url: `/v1/manage/partners/${f.partnerId}/webhook-deliveries`,
    });
    const mine = listed.json().deliveries as {
      id: string;
      type: string;
      state: string;
      endpoint_id: string;
    }[];
    // Its own endpoint's delivery only: the operators' delivery of its event is not its business.
    expect(mine).toHaveLength(1);
    const own = mine.find((d) => d.endpoint_id === created.json().endpoint.id);
    expect(own).toMatchObject({ type: "user.created", state: "delivered" });
    const replayed = await admin.call({
      method: "POST",
      url: `/v1/manage/partners/${f.partnerId}/webhook-deliveries/${own?.id}/replay`,
    });
    expect(replayed.statusCode).toBe(204);
    await deliver();
    const hooks = receiver.calls.filter((c) => c.path === "/hooks");
    expect(hooks).toHaveLength(2);
    expect(hooks[0]?.headers["webhook-id"]).toBe(hooks[1]?.headers["webhook-id"]);
    // The other partner's deliveries are not the admin's to see or replay.
    const theirs = await operator.call({
      method: "GET",
      url: `/v1/manage/partners/${other.partnerId}/webhook-deliveries`,
    });
    const foreign = (theirs.json().deliveries as { id: string }[])[0];
    const refused = await admin.call({
      method: "POST",
      url: `/v1/manage/partners/${f.partnerId}/webhook-deliveries/${foreign?.id}/replay`,
    });
    expect(refused.statusCode).toBe(404);
  });
});
