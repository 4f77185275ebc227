// The console's pages of issue 28, part two: one login link's timeline (from Activity), the app
// form's link and session settings, and the Integration page's apps and typed-client snippet.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  dialects,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { type ConsoleUser, PASSWORD, signInConsole } from "../helpers/console.js";
import { redeem, sessionCookie } from "../helpers/sso.js";

/** The text of a page's timeline table, one string per row, tags removed. */
function timelineRows(body: string): string[] {
  const table = (body.split("<h2>What happened</h2>")[1] ?? "").split("</table>")[0] ?? "";
  return table
    .split("<tr>")
    .slice(2)
    .map((row) =>
      row
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
}

describe.each(dialects)("a login link's timeline on %s", (dialect) => {
  let t: TestApp;
  let a: PartnerFixture;
  let b: PartnerFixture;
  let adminA: ConsoleUser;
  let appId: string;

  beforeEach(async () => {
    t = await testApp(dialect);
    a = await makePartner(t.app, "Partner A");
    b = await makePartner(t.app, "Partner B");
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    await domainsOf(t.app).partnerUsers.create(b.partnerId, "admin@b.example", PASSWORD);
    adminA = await signInConsole(t.app, "admin@a.example", a.partnerId);
    appId = (await domainsOf(t.app).apps.create({ name: "Shop", baseUrl: "https://shop.example" }))
      .id;
  });
  afterEach(async () => {
    await t.app.close();
  });

  const mint = (user: string, bindIp?: string) =>
    domainsOf(t.app).tickets.mint({
      partnerId: a.partnerId,
      apiTokenId: null,
      user: { id: user },
      appId,
      ip: "198.51.100.7",
      ...(bindIp ? { bindIp } : {}),
    });
  const page = (user: ConsoleUser, url: string) => user.call({ method: "GET", url });

  it("shows minted, redeemed with its session, and the session's end, in order", async () => {
    const minted = await mint("u-ok");
    t.clock.advance(2_000);
    const opened = await t.app.inject({
      method: "GET",
      url: `/login/${minted.ticket}`,
      remoteAddress: "203.0.113.5",
    });
    expect(opened.statusCode).toBe(200);
    // A live link's page opened is not written down (the redemption's POST comes from it; a
    // write on every page GET would double the commits of a sign-in).
    t.clock.advance(3_000);
    const cookie = sessionCookie(
      await redeem(t.app, minted.ticket, { remoteAddress: "203.0.113.5" }),
    );
    t.clock.advance(60_000);
    const out = await t.app.inject({
      method: "POST",
      url: "/logout",
      headers: { "sec-fetch-site": "same-origin", cookie: `handoff_session=${cookie}` },
    });
    expect(out.statusCode).toBe(200);

    const activity = await page(adminA, `/console/partners/${a.partnerId}/activity`);
    const href = `/console/partners/${a.partnerId}/links/${minted.id}`;
    expect(activity.body).toContain(`href="${href}"`);
    const timeline = await page(adminA, href);
    expect(timeline.statusCode).toBe(200);
    const rows = timelineRows(timeline.body);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain("Minted by");
    expect(rows[0]).toContain("12:00:00");
    expect(rows[1]).toMatch(/12:00:05 UTC Redeemed: signed in ok 203\.0\.113\.5 session: \S+$/);
    expect(rows[2]).toMatch(/12:01:05 UTC Session ended: logout/);
    const session = /session: (\S+)$/.exec(rows[1] ?? "")?.[1];
    expect(timeline.body).toContain(`<code>${session}</code>, started`);
    expect(timeline.body).toContain("(logout)");
  });

  it("shows a refused redemption with its reason, and a dead link's page opened later", async () => {
    const minted = await mint("u-bound", "192.0.2.1");
    t.clock.advance(1_000);
    await t.app.inject({
      method: "GET",
      url: `/login/${minted.ticket}`,
      remoteAddress: "192.0.2.9",
    });
    t.clock.advance(1_000);
    expect((await redeem(t.app, minted.ticket, { remoteAddress: "192.0.2.9" })).statusCode).toBe(
      403,
    );
    t.clock.advance(1_000);
    // The dead link's page, opened again, writes nothing more: the reason is already noted.
    await t.app.inject({
      method: "GET",
      url: `/login/${minted.ticket}`,
      remoteAddress: "192.0.2.9",
    });
    // Another, revoked, whose page is then opened: that is noted with its reason.
    const revoked = await mint("u-revoked");
    await domainsOf(t.app).tickets.revoke(a.partnerId, revoked.id, "198.51.100.7");
    t.clock.advance(1_000);
    await t.app.inject({ method: "GET", url: `/login/${revoked.ticket}` });
    const dead = await page(adminA, `/console/partners/${a.partnerId}/links/${revoked.id}`);
    expect(
      timelineRows(dead.body).map((r) => r.split(" UTC ")[1]?.split(" ").slice(0, 2).join(" ")),
    ).toEqual(["Minted by", "Revoked ok", "Page opened"]);

    const timeline = await page(adminA, `/console/partners/${a.partnerId}/links/${minted.id}`);
    const rows = timelineRows(timeline.body);
    expect(rows.map((r) => r.split(" UTC ")[1]?.split(" ").slice(0, 2).join(" "))).toEqual([
      "Minted by",
      "Refused: ip_mismatch",
    ]);
    expect(rows[1]).toContain("bound_ip: 192.0.2.1");
    expect(timeline.body).toContain("Session it made</dt><dd>none");
  });

  it("answers another partner's admin 404, the same page as for an unknown link", async () => {
    const minted = await mint("u-private");
    const adminB = await signInConsole(t.app, "admin@b.example", b.partnerId);
    const theirs = await page(adminB, `/console/partners/${a.partnerId}/links/${minted.id}`);
    const underB = await page(adminB, `/console/partners/${b.partnerId}/links/${minted.id}`);
    const unknown = await page(adminB, `/console/partners/${b.partnerId}/links/hts_unknown`);
    for (const response of [theirs, underB, unknown]) {
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain("Not found");
      expect(response.body).not.toContain("u-private");
      expect(response.body).not.toContain("Partner A");
    }
    // Under their own partner's path, A's link reads exactly as a link that does not exist.
    expect(underB.body).toContain(`no ticket ${minted.id}`);
    expect(unknown.body).toContain("no ticket hts_unknown");
  });
});

describe("app settings and the Integration page in the console", () => {
  let t: TestApp;
  let a: PartnerFixture;
  let operator: ConsoleUser;

  beforeEach(async () => {
    t = await testApp("sqlite");
    a = await makePartner(t.app, "Partner A");
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    operator = await signInConsole(t.app, "ops@platform.example");
  });
  afterEach(async () => {
    await t.app.close();
  });

  const post = (url: string, fields: Record<string, string>) =>
    t.app.inject({
      method: "POST",
      url,
      cookies: { handoff_console: operator.cookie },
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      payload: new URLSearchParams({ csrf: operator.csrf, ...fields }).toString(),
    });
  const base = { name: "Storefront", url: "https://shop.example", return_paths: "/" };

  it("round-trips link lifetimes, session limits, failure URL, IP binding and auth_token", async () => {
    const created = await post("/console/apps", {
      ...base,
      ticket_ttl: "120",
      ticket_ttl_max: "600",
      session_idle: "900",
      session_absolute: "7200",
      failure_url: "https://shop.example/sorry",
      ip_binding: "prefix",
      sees_auth_token: "on",
      redirect_uris: "https://shop.example/callback",
      backchannel_logout_uri: "https://shop.example/backchannel-logout",
    });
    expect(created.statusCode).toBe(303);
    const [app] = await domainsOf(t.app).apps.list();
    expect(app).toMatchObject({
      ticketTtlDefault: 120,
      ticketTtlMax: 600,
      sessionIdleSeconds: 900,
      sessionAbsoluteSeconds: 7200,
      failureUrl: "https://shop.example/sorry",
      ipBinding: "prefix",
      seesAuthToken: true,
      oidc: { backchannelLogoutUri: "https://shop.example/backchannel-logout" },
    });
    const api = await operator.call({ method: "GET", url: `/v1/manage/apps/${app?.id}` });
    expect(api.json()).toMatchObject({
      ticket_ttl: 120,
      ticket_ttl_max: 600,
      session_idle: 900,
      session_absolute: 7200,
      failure_url: "https://shop.example/sorry",
      ip_binding: "prefix",
      sees_auth_token: true,
    });
    const edit = await operator.call({ method: "GET", url: `/console/apps/${app?.id}` });
    expect(edit.body).toContain('name="ticket_ttl" type="number" min="1" step="1" value="120"');
    expect(edit.body).toContain('<option value="prefix" selected>');
    expect(edit.body).toMatch(/name="sees_auth_token" checked/);
    expect(edit.body).toContain('value="https://shop.example/sorry"');
    expect(edit.body).toContain('value="https://shop.example/backchannel-logout"');

    // Saved again with the box unticked, the URL cleared and exact binding.
    const saved = await post(`/console/apps/${app?.id}`, {
      ...base,
      ticket_ttl: "300",
      ticket_ttl_max: "600",
      session_idle: "900",
      session_absolute: "7200",
      failure_url: "",
      ip_binding: "exact",
    });
    expect(saved.statusCode).toBe(303);
    expect(await domainsOf(t.app).apps.get(app?.id as string)).toMatchObject({
      ticketTtlDefault: 300,
      failureUrl: null,
      ipBinding: "exact",
      seesAuthToken: false,
    });
  });

  it("shows bad settings on the form, as typed, with a 400 and the reason", async () => {
    const bad = await post("/console/apps", { ...base, ticket_ttl: "soon", ip_binding: "exact" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("text/html");
    expect(bad.body).toContain("Link lifetime must be a whole number of seconds");
    expect(bad.body).toContain('value="Storefront"');
    expect(bad.body).toContain('value="soon"');
    expect(await domainsOf(t.app).apps.list()).toHaveLength(0);
    // A back-channel logout URI Handoff's servers would call on a private address.
    const inside = await post("/console/apps", {
      ...base,
      redirect_uris: "https://shop.example/callback",
      backchannel_logout_uri: "https://10.0.0.1/logout",
    });
    expect(inside.statusCode).toBe(400);
    expect(inside.body).toContain("backchannel_logout_uri");
    expect(await domainsOf(t.app).apps.list()).toHaveLength(0);

    const app = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
    });
    const tooLong = await post(`/console/apps/${app.id}`, {
      ...base,
      ticket_ttl: "7200",
      ticket_ttl_max: "3600",
      ip_binding: "exact",
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain("ticket_ttl_default");
    expect(tooLong.body).toContain('value="7200"');
    const binding = await post(`/console/apps/${app.id}`, { ...base, ip_binding: "none" });
    expect(binding.statusCode).toBe(400);
    expect(binding.body).toContain("IP binding must be exact or prefix");
    expect(await domainsOf(t.app).apps.get(app.id)).toMatchObject({
      name: "Shop",
      ticketTtlDefault: 300,
    });
  });

  it("issues an app a new secret, shown once, after which only the new one works; operators only", async () => {
    const app = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
    });
    const old = await domainsOf(t.app).apps.rotateSecret(app.id);
    const page = await operator.call({ method: "GET", url: `/console/apps/${app.id}` });
    expect(page.body).toContain(`action="/console/apps/${app.id}/secret"`);
    const issued = await post(`/console/apps/${app.id}/secret`, {});
    expect(issued.statusCode).toBe(303);
    expect(issued.headers.location).toBe("/console/shown");
    const shownCookie = issued.cookies.find((c) => c.name === "handoff_shown")?.value as string;
    const shown = await t.app.inject({
      method: "GET",
      url: "/console/shown",
      cookies: { handoff_console: operator.cookie, handoff_shown: shownCookie },
    });
    const secret = /<code[^>]*>(hap_[^<]+|[A-Za-z0-9_-]{30,})<\/code>/.exec(
      shown.body.replace(`<code>${app.id}</code>`, ""),
    )?.[1];
    expect(secret).toEqual(expect.any(String));
    expect(secret).not.toBe(old);
    const introspect = (clientSecret: string) =>
      t.app.inject({
        method: "POST",
        url: "/v1/sessions/introspect",
        payload: { token: "nothing", client_id: app.id, client_secret: clientSecret },
      });
    expect((await introspect(old)).statusCode).toBe(401);
    expect((await introspect(secret as string)).statusCode).toBe(200);

    // A partner's admin sees no such button and may not post it.
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    const admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const refused = await t.app.inject({
      method: "POST",
      url: `/console/apps/${app.id}/secret`,
      cookies: { handoff_console: admin.cookie },
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      payload: new URLSearchParams({ csrf: admin.csrf }).toString(),
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["content-type"]).toContain("text/html");
    expect((await introspect(secret as string)).statusCode).toBe(200);
  });

  it("lists the apps a partner can mint for on Integration, and puts the first one's id in the snippets", async () => {
    const first = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
    });
    const second = await domainsOf(t.app).apps.create({
      name: "Travel",
      baseUrl: "https://travel.example",
    });
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
    const admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const integration = await admin.call({
      method: "GET",
      url: `/console/partners/${a.partnerId}/integration`,
    });
    expect(integration.statusCode).toBe(200);
    expect(integration.body).toContain(`<code>${first.id}</code>`);
    expect(integration.body).toContain(`<code>${second.id}</code>`);
    expect(integration.body).not.toContain("APP_ID");
    const curl = integration.body.split('id="snippet-curl"')[1]?.split("</pre>")[0] ?? "";
    expect(curl).toContain(`&quot;app&quot;: &quot;${first.id}&quot;`);
    const ts = integration.body.split('id="snippet-ts"')[1]?.split("</pre>")[0] ?? "";
    expect(ts).toContain("import { createHandoffClient } from &quot;@handoff/client&quot;");
    expect(ts).toContain(`app: &quot;${first.id}&quot;`);
    expect(ts).not.toContain("fetch(");
  });
});
