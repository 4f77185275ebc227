// The console's pages without a browser: where an anonymous person is sent, forms that need the
// CSRF field, a partner admin asking for another partner's page, and secrets shown once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { PASSWORD, signInConsole } from "../helpers/console.js";

describe("console pages", () => {
  let t: TestApp;
  let a: PartnerFixture;
  let b: PartnerFixture;

  beforeEach(async () => {
    t = await testApp("sqlite");
    a = await makePartner(t.app, "Partner A");
    b = await makePartner(t.app, "Partner B");
    await domainsOf(t.app).partnerUsers.create(a.partnerId, "admin@a.example", PASSWORD);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("sends a person who is not signed in to the sign-in page, from every old address too", async () => {
    for (const url of [
      "/console",
      "/console/partners",
      `/console/partners/${a.partnerId}/tokens`,
    ]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe("/console/sign-in");
    }
    for (const url of ["/dashboard", "/portal", "/login"]) {
      expect((await t.app.inject({ method: "GET", url })).headers.location).toBe("/console");
    }
    const page = await t.app.inject({ method: "GET", url: "/console/sign-in" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('name="password"');
  });

  it("signs in with the form, says what went wrong in words, and replaces an earlier session", async () => {
    const form = (fields: Record<string, string>, cookie?: string) =>
      t.app.inject({
        method: "POST",
        url: "/console/sign-in",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
        },
        ...(cookie ? { cookies: { handoff_console: cookie } } : {}),
        payload: new URLSearchParams(fields).toString(),
      });
    const wrong = await form({
      login: "admin@a.example",
      password: "not the password",
      partner_id: a.partnerId,
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("The login or password is wrong");
    expect(wrong.body).toContain('value="admin@a.example"');
    const right = await form({
      login: "admin@a.example",
      password: PASSWORD,
      partner_id: a.partnerId,
    });
    expect(right.statusCode).toBe(303);
    const first = right.cookies.find((c) => c.name === "handoff_console")?.value as string;
    const again = await form(
      { login: "admin@a.example", password: PASSWORD, partner_id: a.partnerId },
      first,
    );
    const second = again.cookies.find((c) => c.name === "handoff_console")?.value as string;
    expect(second).not.toBe(first);
    const me = (cookie: string) =>
      t.app.inject({ method: "GET", url: "/v1/manage/me", cookies: { handoff_console: cookie } });
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(200);
  });

  it("refuses a form without the CSRF field, and another partner's pages, in words", async () => {
    const admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const post = (csrf?: string) =>
      t.app.inject({
        method: "POST",
        url: `/console/partners/${a.partnerId}/api-tokens`,
        cookies: { handoff_console: admin.cookie },
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ name: "ci", ...(csrf ? { csrf } : {}) }).toString(),
      });
    const refused = await post();
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["content-type"]).toContain("text/html");
    expect(refused.body).toContain("did not prove it came from the console");
    expect(await domainsOf(t.app).partners.listApiTokens(a.partnerId)).toHaveLength(1);
    // POST/redirect/GET: the POST makes the token and redirects; the page after it shows the
    // token once, and reloading that page makes nothing and shows nothing (issue 28).
    const created = await post(admin.csrf);
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe("/console/shown");
    const carried = created.cookies.find((c) => c.name === "handoff_shown");
    expect(carried).toMatchObject({ path: "/console/shown", httpOnly: true, sameSite: "Strict" });
    expect(carried?.value).not.toContain("hak_");
    const shown = (cookies: Record<string, string>) =>
      t.app.inject({ method: "GET", url: "/console/shown", cookies });
    const once = await shown({
      handoff_console: admin.cookie,
      handoff_shown: carried?.value ?? "",
    });
    expect(once.statusCode).toBe(200);
    const token = /<code id="secret-value">(hak_[^<]+)<\/code>/.exec(once.body)?.[1] as string;
    expect(token).toMatch(/^hak_/);
    expect(once.cookies.find((c) => c.name === "handoff_shown")?.value).toBe("");
    const reload = await shown({ handoff_console: admin.cookie });
    expect(reload.body).toContain("This secret was shown once");
    expect(reload.body).not.toContain("hak_");
    // Sealed to the session that made it: another session's console cannot open it.
    const other = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const stolen = await shown({
      handoff_console: other.cookie,
      handoff_shown: carried?.value ?? "",
    });
    expect(stolen.body).not.toContain("hak_");
    expect(await domainsOf(t.app).partners.listApiTokens(a.partnerId)).toHaveLength(2);
    const list = await t.app.inject({
      method: "GET",
      url: `/console/partners/${a.partnerId}/tokens`,
      cookies: { handoff_console: admin.cookie },
    });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("ci");
    expect(list.body).not.toContain(token.slice(20));
    for (const path of ["", "/tokens", "/users", "/activity", "/integration", "/sso-key/rotate"]) {
      const other = await t.app.inject({
        method: "GET",
        url: `/console/partners/${b.partnerId}${path}`,
        cookies: { handoff_console: admin.cookie },
      });
      expect(other.statusCode, path).toBe(404);
      expect(other.body).not.toContain("Partner B");
    }
  });

  it("asks before suspending a partner, and pages through a partner's activity", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    const get = (url: string) =>
      t.app.inject({ method: "GET", url, cookies: { handoff_console: operator.cookie } });
    const summary = await get(`/console/partners/${b.partnerId}`);
    expect(summary.body).toContain(`href="/console/partners/${b.partnerId}/suspend"`);
    const confirm = await get(`/console/partners/${b.partnerId}/suspend`);
    expect(confirm.body).toContain("Suspend Partner B?");
    expect(confirm.body).toContain('name="status" value="suspended"');
    expect((await domainsOf(t.app).partners.get(b.partnerId)).status).toBe("active");
    const done = await t.app.inject({
      method: "POST",
      url: `/console/partners/${b.partnerId}/status`,
      cookies: { handoff_console: operator.cookie },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ csrf: operator.csrf, status: "suspended" }).toString(),
    });
    expect(done.statusCode).toBe(303);
    expect((await domainsOf(t.app).partners.get(b.partnerId)).status).toBe("suspended");

    const app = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
    });
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) {
      t.clock.advance(1000);
      const minted = await domainsOf(t.app).tickets.mint({
        partnerId: a.partnerId,
        apiTokenId: null,
        user: { id: `u${i}` },
        appId: app.id,
        ip: "127.0.0.1",
      });
      ids.push(minted.id);
    }
    const first = await get(`/console/partners/${a.partnerId}/activity`);
    expect(first.body).toContain(ids[54]);
    expect(first.body).not.toContain(ids[4]);
    const next = /href="([^"]*tickets_before=\d+)"/.exec(first.body)?.[1] as string;
    // The links' table pages; the events below it start again from the newest.
    const links = (await get(next.replaceAll("&amp;", "&"))).body.split("<h2>Events</h2>")[0] ?? "";
    expect(links).toContain(ids[4]);
    expect(links).not.toContain(ids[54]);
    expect(links).not.toContain("Older login links");
  });

  it("keeps the audit log's partner filter on its older pages", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    for (let i = 0; i < 55; i++) {
      await domainsOf(t.app).partners.createApiToken(a.partnerId, { name: `a ${i}` });
      await domainsOf(t.app).partners.createApiToken(b.partnerId, { name: `b ${i}` });
    }
    const get = (url: string) =>
      t.app.inject({ method: "GET", url, cookies: { handoff_console: operator.cookie } });
    const first = await get(`/console/audit?partner_id=${a.partnerId}`);
    const older = /<a href="([^"]+)">Older entries<\/a>/
      .exec(first.body)?.[1]
      ?.replace(/&amp;/g, "&");
    expect(older).toContain(`partner_id=${a.partnerId}`);
    const second = await get(older as string);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain(a.partnerId);
    expect(second.body).not.toContain(b.partnerId);
  });

  it("answers an unknown console address with a page, not JSON", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    for (const url of ["/console/apps/new/extra", "/console/no/such/page"]) {
      const page = await t.app.inject({
        method: "GET",
        url,
        cookies: { handoff_console: operator.cookie },
      });
      expect(page.statusCode, url).toBe(404);
      expect(page.headers["content-type"], url).toContain("text/html");
      expect(page.body).toContain("Not found");
    }
  });

  it("creates and edits an app in the console, its secret shown once; operators only (issue 28)", async () => {
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const operator = await signInConsole(t.app, "ops@platform.example");
    const admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const page = (cookie: string, url: string) =>
      t.app.inject({ method: "GET", url, cookies: { handoff_console: cookie } });
    const form = (cookie: string, csrf: string, url: string, fields: Record<string, string>) =>
      t.app.inject({
        method: "POST",
        url,
        cookies: { handoff_console: cookie },
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "sec-fetch-site": "same-origin",
        },
        payload: new URLSearchParams({ csrf, ...fields }).toString(),
      });
    expect((await page(operator.cookie, "/console/apps/new")).body).toContain('name="url"');
    expect((await page(admin.cookie, "/console/apps/new")).statusCode).toBe(403);

    const bad = await form(operator.cookie, operator.csrf, "/console/apps", { name: "No URL" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("text/html");
    expect(await domainsOf(t.app).apps.list()).toHaveLength(0);

    const created = await form(operator.cookie, operator.csrf, "/console/apps", {
      name: "Storefront",
      url: "https://shop.example",
      return_paths: "/\r\n/orders\r\n",
      products: "store",
      redirect_uris: "https://shop.example/callback",
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe("/console/shown");
    const carried = created.cookies.find((c) => c.name === "handoff_shown")?.value ?? "";
    const shown = await t.app.inject({
      method: "GET",
      url: "/console/shown",
      cookies: { handoff_console: operator.cookie, handoff_shown: carried },
    });
    expect(shown.body).toMatch(/<code id="secret-value">has_/);
    const [app] = await domainsOf(t.app).apps.list();
    expect(app).toMatchObject({
      name: "Storefront",
      baseUrl: "https://shop.example",
      returnPaths: ["/", "/orders"],
      products: ["store"],
      hasSecret: true,
      oidc: { redirectUris: ["https://shop.example/callback"] },
    });

    const edit = await page(operator.cookie, `/console/apps/${app?.id}`);
    expect(edit.body).toContain('value="Storefront"');
    const saved = await form(operator.cookie, operator.csrf, `/console/apps/${app?.id}`, {
      name: "Storefront EU",
      url: "https://shop.example",
      return_paths: "/",
      saml_entity_id: "https://shop.example/saml",
      saml_acs_urls: "https://shop.example/saml/acs",
      sign_in_group: "shops",
    });
    expect(saved.statusCode).toBe(303);
    expect((await page(operator.cookie, saved.headers.location as string)).body).toContain(
      "settings are saved.",
    );
    expect(await domainsOf(t.app).apps.get(app?.id as string)).toMatchObject({
      name: "Storefront EU",
      signInGroup: "shops",
      saml: { entityId: "https://shop.example/saml", acsUrls: ["https://shop.example/saml/acs"] },
      oidc: { redirectUris: [] },
    });
    const list = await page(operator.cookie, "/console/apps");
    expect(list.body).toContain(`href="/console/apps/${app?.id}"`);
  });

  it("revokes one unused login link from the Activity table (issue 28)", async () => {
    const admin = await signInConsole(t.app, "admin@a.example", a.partnerId);
    const app = await domainsOf(t.app).apps.create({
      name: "Shop",
      baseUrl: "https://shop.example",
    });
    const minted = await domainsOf(t.app).tickets.mint({
      partnerId: a.partnerId,
      apiTokenId: null,
      user: { id: "u-revoke" },
      appId: app.id,
      ip: "127.0.0.1",
    });
    const activity = await t.app.inject({
      method: "GET",
      url: `/console/partners/${a.partnerId}/activity`,
      cookies: { handoff_console: admin.cookie },
    });
    const action = `/console/partners/${a.partnerId}/links/${minted.id}/revoke`;
    expect(activity.body).toContain(`action="${action}"`);
    const revoked = await t.app.inject({
      method: "POST",
      url: action,
      cookies: { handoff_console: admin.cookie },
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
      payload: new URLSearchParams({ csrf: admin.csrf }).toString(),
    });
    expect(revoked.statusCode).toBe(303);
    expect(await domainsOf(t.app).tickets.status(a.partnerId, minted.id)).toMatchObject({
      status: "revoked",
    });
    const after = await t.app.inject({
      method: "GET",
      url: revoked.headers.location as string,
      cookies: { handoff_console: admin.cookie },
    });
    expect(after.body).toContain("The login link is revoked");
    expect(after.body).not.toContain(`action="${action}"`);
  });
});
