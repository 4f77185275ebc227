// The console's integration pages without a browser (issue 28): webhook endpoints (the signing
// secret shown once) and their deliveries (replayed), call-back endpoints (set, changed,
// removed), sign-in groups; another partner's pages are "not found", and a mistake in a form
// comes back as a 400 page that says what to fix.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { type ConsoleUser, PASSWORD, signInConsole } from "../helpers/console.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";

let receiver: PartnerEndpoint;
beforeAll(async () => {
  receiver = await startPartnerEndpoint();
});
afterAll(async () => {
  await receiver.close();
});

describe("the console's integration pages", () => {
  let t: TestApp;
  let a: PartnerFixture;
  let b: PartnerFixture;
  let admin: ConsoleUser;

  beforeEach(async () => {
    receiver.calls.length = 0;
    receiver.answer = { status: 204, body: "" };
    t = await testApp("sqlite", { outboundAllow: ["127.0.0.1/32"] });
    // The receiver checks the signature's timestamp against its own (real) clock.
    t.clock.set(Date.now());
    a = await makePartner(t.app, "Partner A");
    b = await makePartner(t.app, "Partner B");
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const page = (user: ConsoleUser, url: string) =>
    t.app.inject({ method: "GET", url, cookies: { handoff_console: user.cookie } });
  /** A form posted from the console: the CSRF field, fields repeated when given as arrays. */
  const form = (user: ConsoleUser, url: string, fields: Record<string, string | string[]> = {}) => {
    const body = new URLSearchParams({ csrf: user.csrf });
    for (const [name, value] of Object.entries(fields)) {
      for (const one of [value].flat()) body.append(name, one);
    }
    return t.app.inject({
      method: "POST",
      url,
      cookies: { handoff_console: user.cookie },
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      payload: body.toString(),
    });
  };
  /** The page after a POST/redirect: the secret shown once, read from its carrying cookie. */
  const shown = (user: ConsoleUser, carried: string) =>
    t.app.inject({
      method: "GET",
      url: "/console/shown",
      cookies: { handoff_console: user.cookie, handoff_shown: carried },
    });
  const carriedBy = (response: { cookies: { name: string; value: string }[] }) =>
    response.cookies.find((c) => c.name === "handoff_shown")?.value ?? "";

  it("adds a webhook endpoint with its secret shown once, lists it and removes it", async () => {
    const webhooks = `/console/partners/${a.partnerId}/webhooks`;
    const empty = await page(admin, webhooks);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("No webhook endpoints yet.");
    expect(empty.body).toContain('name="events" value="ticket.rejected"');
    // The partner admin's navigation and the partner's tabs lead here, and to the call-backs.
    expect(empty.body).toContain(`href="${webhooks}"`);
    expect(empty.body).toContain(`href="/console/partners/${a.partnerId}/callbacks"`);

    const url = `https://hooks.partner-a.example/handoff/${"e".repeat(150)}`;
    const created = await form(admin, webhooks, {
      url,
      events: ["ticket.redeemed", "ticket.rejected"],
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe("/console/shown");
    expect(created.body).not.toContain("whsec_");
    const once = await shown(admin, carriedBy(created));
    const secret = /<code id="secret-value">(whsec_[^<]+)<\/code>/.exec(once.body)?.[1];
    expect(secret).toMatch(/^whsec_/);
    const reload = await t.app.inject({
      method: "GET",
      url: "/console/shown",
      cookies: { handoff_console: admin.cookie },
    });
    expect(reload.body).toContain("This secret was shown once");
    expect(reload.body).not.toContain("whsec_");

    const [endpoint] = await domainsOf(t.app).webhooks.endpoints(a.partnerId);
    expect(endpoint).toMatchObject({ url, events: ["ticket.redeemed", "ticket.rejected"] });
    const listed = await page(admin, webhooks);
    // The long URL is cut to one line on the page, whole in its title.
    expect(listed.body).toContain(`<span class="clip" title="${url}">${url}</span>`);
    expect(listed.body).toContain("ticket.redeemed, ticket.rejected");
    expect(listed.body).not.toContain("whsec_");

    const remove = `${webhooks}/${endpoint?.id}/remove`;
    expect(listed.body).toContain(`href="${remove}"`);
    expect((await page(admin, remove)).body).toContain("Remove this webhook endpoint?");
    const removed = await form(admin, remove);
    expect(removed.statusCode).toBe(303);
    expect(await domainsOf(t.app).webhooks.endpoints(a.partnerId)).toEqual([]);
    const after = await page(admin, removed.headers.location as string);
    expect(after.body).toContain("The webhook endpoint is removed");
    expect(after.body).toContain("No webhook endpoints yet.");
  });

  it("lets operators add their own endpoints, which hear every partner; partner users may not", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    expect((await page(operator, "/console")).body).toContain('href="/console/webhooks"');
    const created = await form(operator, "/console/webhooks", {
      url: "https://ops.platform.example/events",
      events: "user.created",
    });
    expect(created.statusCode).toBe(303);
    expect((await shown(operator, carriedBy(created))).body).toMatch(/whsec_/);
    expect(await domainsOf(t.app).webhooks.endpoints(null)).toMatchObject([
      { partner_id: null, url: "https://ops.platform.example/events" },
    ]);
    expect((await page(operator, "/console/webhooks")).body).toContain(
      "https://ops.platform.example/events",
    );
    for (const url of ["/console/webhooks", "/console/webhook-deliveries", "/console/groups"]) {
      const refused = await page(admin, url);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.headers["content-type"]).toContain("text/html");
    }
    const posted = await form(admin, "/console/webhooks", {
      url: "https://a.example/all",
      events: "user.created",
    });
    expect(posted.statusCode).toBe(403);
    expect(await domainsOf(t.app).webhooks.endpoints(null)).toHaveLength(1);
  });

  it("lists deliveries and replays one: its row goes back to pending, and it is sent again", async () => {
    const { endpoint, secret } = await domainsOf(t.app).webhooks.createEndpoint(a.partnerId, {
      url: `${receiver.url}/hooks`,
      events: ["api_token.created"],
    });
    receiver.secret = secret;
    await domainsOf(t.app).partners.createApiToken(a.partnerId, { name: "checkout" });
    expect(await domainsOf(t.app).webhooks.deliver(t.app.log)).toBe(1);

    const deliveries = `/console/partners/${a.partnerId}/webhook-deliveries`;
    const before = await page(admin, deliveries);
    expect(before.statusCode).toBe(200);
    const [delivery] = await domainsOf(t.app).webhooks.deliveries([a.partnerId]);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 1, last_status: 204 });
    const row = (body: string) => body.split("<tr>").find((r) => r.includes("api_token.created"));
    expect(row(before.body)).toContain("delivered");
    expect(row(before.body)).toContain("HTTP 204");
    expect(row(before.body)).toContain(`title="${endpoint.url}"`);
    const replay = `${deliveries}/${delivery?.id}/replay`;
    expect(before.body).toContain(`action="${replay}"`);

    const replayed = await form(admin, replay);
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe(`${deliveries}?done=replayed`);
    const stored = await t.database.read
      .selectFrom("webhook_deliveries")
      .select(["state", "attempts"])
      .where("id", "=", delivery?.id as string)
      .executeTakeFirst();
    expect(stored).toEqual({ state: "pending", attempts: 0 });
    const after = await page(admin, replayed.headers.location as string);
    expect(after.body).toContain("queued to be sent again");
    expect(row(after.body)).toContain("pending");
    expect(row(after.body)).not.toContain("delivered");

    expect(await domainsOf(t.app).webhooks.deliver(t.app.log)).toBe(1);
    expect(receiver.calls).toHaveLength(2);
    expect(receiver.calls.every((c) => c.verified)).toBe(true);
    expect(receiver.calls[0]?.headers["webhook-id"]).toBe(receiver.calls[1]?.headers["webhook-id"]);
  });

  it("sets a call-back endpoint (its secret shown once), changes it and removes it", async () => {
    const callbacks = `/console/partners/${a.partnerId}/callbacks`;
    const empty = await page(admin, callbacks);
    expect(empty.statusCode).toBe(200);
    for (const kind of ["balance", "debit", "refund", "verify"]) {
      expect(empty.body).toContain(`<option value="${kind}"`);
    }
    const set = await form(admin, callbacks, {
      kind: "balance",
      url: "https://partner-a.example/handoff/balance",
      timeout_ms: "3000",
    });
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe("/console/shown");
    expect((await shown(admin, carriedBy(set))).body).toMatch(
      /<code id="secret-value">whsec_[^<]+<\/code>/,
    );
    const listed = await page(admin, callbacks);
    expect(listed.body).toContain("https://partner-a.example/handoff/balance");
    expect(listed.body).toContain("3000 ms");
    expect(listed.body).not.toContain("whsec_");

    // Changing it keeps its secret: no secret page, a notice.
    const changed = await form(admin, callbacks, {
      kind: "balance",
      url: "https://partner-a.example/v2/balance",
      timeout_ms: "",
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe(`${callbacks}?done=callback_saved`);
    expect(await domainsOf(t.app).callbacks.list(a.partnerId)).toMatchObject([
      { kind: "balance", url: "https://partner-a.example/v2/balance", timeout_ms: 5000 },
    ]);
    const edit = await page(admin, `${callbacks}?kind=balance`);
    expect(edit.body).toContain('value="https://partner-a.example/v2/balance"');

    const remove = `${callbacks}/balance/remove`;
    expect((await page(admin, remove)).body).toContain("Remove the balance endpoint?");
    const removed = await form(admin, remove);
    expect(removed.statusCode).toBe(303);
    expect(await domainsOf(t.app).callbacks.list(a.partnerId)).toEqual([]);
    expect((await page(admin, removed.headers.location as string)).body).toContain(
      "The call-back endpoint is removed",
    );
  });

  it("answers a partner admin 404 for another partner's pages, and changes nothing of theirs", async () => {
    const theirs = `/console/partners/${b.partnerId}`;
    const { endpoint } = await domainsOf(t.app).webhooks.createEndpoint(b.partnerId, {
      url: `${receiver.url}/b`,
      events: ["api_token.created"],
    });
    await domainsOf(t.app).callbacks.set(b.partnerId, "balance", {
      url: "https://partner-b.example/balance",
    });
    await domainsOf(t.app).partners.createApiToken(b.partnerId, { name: "b backend" });
    const [delivery] = await domainsOf(t.app).webhooks.deliveries([b.partnerId]);
    // Their own pages are there (so the 404s below are the rule, not missing pages).
    for (const path of ["/webhooks", "/webhook-deliveries", "/callbacks"]) {
      const own = await page(admin, `/console/partners/${a.partnerId}${path}`);
      expect(own.statusCode, path).toBe(200);
    }
    for (const path of [
      "/webhooks",
      "/webhook-deliveries",
      "/callbacks",
      `/webhooks/${endpoint.id}/remove`,
      "/callbacks/balance/remove",
    ]) {
      const other = await page(admin, `${theirs}${path}`);
      expect(other.statusCode, path).toBe(404);
      expect(other.headers["content-type"]).toContain("text/html");
      expect(other.body).not.toContain("Partner B");
    }
    const posts: [string, Record<string, string>][] = [
      ["/webhooks", { url: "https://a.example/steal", events: "user.created" }],
      ["/webhooks", { url: "http://not-https.example", events: "user.created" }],
      [`/webhooks/${endpoint.id}/remove`, {}],
      [`/webhook-deliveries/${delivery?.id}/replay`, {}],
      ["/callbacks", { kind: "balance", url: "https://a.example/steal" }],
      ["/callbacks/balance/remove", {}],
    ];
    for (const [path, fields] of posts) {
      const refused = await form(admin, `${theirs}${path}`, fields);
      expect(refused.statusCode, path).toBe(404);
      expect(refused.body).not.toContain("Partner B");
    }
    expect(await domainsOf(t.app).webhooks.endpoints(b.partnerId)).toHaveLength(1);
    expect(await domainsOf(t.app).callbacks.list(b.partnerId)).toMatchObject([
      { url: "https://partner-b.example/balance" },
    ]);
    // Their own delivery to another partner's endpoint is not theirs to replay under A either.
    const under = await form(
      admin,
      `/console/partners/${a.partnerId}/webhook-deliveries/${delivery?.id}/replay`,
    );
    expect(under.statusCode).toBe(404);
  });

  it("shows a viewer the pages without forms, and refuses their changes", async () => {
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "viewer@a.example", PASSWORD, {
      role: "viewer",
    });
    const viewer = await signInConsole(t.app, "viewer@a.example", a.partnerId);
    const webhooks = await page(viewer, `/console/partners/${a.partnerId}/webhooks`);
    expect(webhooks.statusCode).toBe(200);
    expect(webhooks.body).not.toContain('name="events"');
    const callbacks = await page(viewer, `/console/partners/${a.partnerId}/callbacks`);
    expect(callbacks.body).not.toContain('name="kind"');
    const refused = await form(viewer, `/console/partners/${a.partnerId}/callbacks`, {
      kind: "balance",
      url: "https://partner-a.example/balance",
    });
    expect(refused.statusCode).toBe(403);
    expect(await domainsOf(t.app).callbacks.list(a.partnerId)).toEqual([]);
  });

  it("shows a mistake in a form on the form, as a 400 page that says what to fix", async () => {
    const webhooks = `/console/partners/${a.partnerId}/webhooks`;
    const callbacks = `/console/partners/${a.partnerId}/callbacks`;
    const cases: [string, Record<string, string | string[]>, string][] = [
      [webhooks, { url: "http://hooks.partner-a.example/x", events: "user.created" }, "https"],
      [webhooks, { url: "https://hooks.partner-a.example/x" }, "Choose at least one event"],
      [webhooks, { url: "https://169.254.169.254/x", events: "user.created" }, "link-local"],
      [webhooks, { url: "https://a.example/x", events: "user.deleted" }, "not user.deleted"],
      [callbacks, { kind: "payout", url: "https://partner-a.example/p" }, "payout"],
      [callbacks, { kind: "debit", url: "http://partner-a.example/d" }, "https"],
      [callbacks, { kind: "debit", url: "https://partner-a.example/d", timeout_ms: "5" }, "100"],
      [callbacks, { kind: "debit", url: "https://partner-a.example/d", timeout_ms: "x" }, "whole"],
    ];
    for (const [url, fields, words] of cases) {
      const bad = await form(admin, url, fields);
      const what = `${url} ${JSON.stringify(fields)}`;
      expect(bad.statusCode, what).toBe(400);
      expect(bad.headers["content-type"], what).toContain("text/html");
      expect(bad.body, what).toMatch(/<div class="alert" role="alert">[^<]*/);
      expect(/<div class="alert" role="alert">([^<]*)/.exec(bad.body)?.[1], what).toContain(words);
      // The form is there again, with what was entered.
      expect(bad.body, what).toContain(`value="${fields.url}"`);
    }
    const kept = await form(admin, webhooks, {
      url: "ftp://x.example",
      events: ["user.created", "session.ended"],
    });
    expect(kept.body).toContain('value="user.created" checked');
    expect(kept.body).toContain('value="session.ended" checked');
    expect(kept.body).not.toContain('value="ticket.redeemed" checked');
    expect(await domainsOf(t.app).webhooks.endpoints(a.partnerId)).toEqual([]);
    expect(await domainsOf(t.app).callbacks.list(a.partnerId)).toEqual([]);
  });

  it("lists the sign-in groups with their apps, linked to each app's page", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    const apps = domainsOf(t.app).apps;
    const shop = await apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
      signInGroup: "retail",
    });
    const wallet = await apps.create({
      name: "Wallet",
      baseUrl: "https://wallet.example",
      signInGroup: "retail",
    });
    const trips = await apps.create({
      name: "Trips",
      baseUrl: "https://trips.example",
      signInGroup: "travel",
    });
    const alone = await apps.create({ name: "Helpdesk", baseUrl: "https://help.example" });
    const groups = await page(operator, "/console/groups");
    expect(groups.statusCode).toBe(200);
    const rows = groups.body.split("<tr>");
    const retail = rows.find((r) => r.includes("<code>retail</code>")) ?? "";
    expect(retail).toContain(`<a href="/console/apps/${shop.id}">Shop</a>`);
    expect(retail).toContain(`<a href="/console/apps/${wallet.id}">Wallet</a>`);
    expect(retail).not.toContain("Trips");
    const travel = rows.find((r) => r.includes("<code>travel</code>")) ?? "";
    expect(travel).toContain(`<a href="/console/apps/${trips.id}">Trips</a>`);
    const noGroup = groups.body.split("Apps in no group")[1] ?? "";
    expect(noGroup).toContain(`<a href="/console/apps/${alone.id}">Helpdesk</a>`);
    expect(noGroup).not.toContain("Shop");
    expect(groups.body).toContain('href="/console/groups" aria-current="page"');
  });
});
