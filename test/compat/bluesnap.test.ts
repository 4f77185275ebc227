// Seed 004 (BlueSnap): the user API, then the page's own SSO token request (leading space in
// the IP included), the login link in the vendor's format, the 30-minute session, on-behalf-of.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  dialects,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";
import { sessionCookie, verify } from "../helpers/sso.js";

describe.each(dialects)("seed 004 (BlueSnap) on %s", (dialect) => {
  let t: TestApp;
  let partner: PartnerFixture;
  let basic: string;

  beforeEach(async () => {
    t = await testApp(dialect);
    partner = await makePartner(t.app, "Merchant Co");
    basic = `Basic ${Buffer.from(`${partner.partnerId}:${partner.apiToken}`).toString("base64")}`;
    await domainsOf(t.app).apps.create({
      name: "Merchant Portal",
      baseUrl: "https://portal.example",
      products: ["portal"],
    });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const createUser = (body: Record<string, unknown>, query = "", auth = basic) =>
    t.app.inject({
      method: "POST",
      url: `/services/2/cp/user${query}`,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: auth,
      },
      payload: JSON.stringify(body),
    });

  const ssoToken = (userId: string, query = "", ip = " 62.216.234.216", auth = basic) =>
    t.app.inject({
      method: "POST",
      url: `/services/2/generateSSOLoginToken/${userId}${query}`,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: auth,
      },
      payload: `{\n"requestingUserIp": "${ip}"\n}`,
    });

  const ada = {
    firstName: "Ada",
    lastName: "Lovelace",
    email: "ada@merchant.example",
    username: "ada",
  };

  it("creates a user, answers the page's request with {loginToken, loginLink}, and the link logs in for 30 minutes", async () => {
    const created = await createUser(ada);
    expect(created.statusCode).toBe(201);
    const { userId } = created.json();
    expect(created.headers.location).toBe(`${t.config.baseUrl}/services/2/cp/user/${userId}`);
    expect(created.json()).toEqual({ userId, ...ada });

    const response = await ssoToken(userId);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(["loginLink", "loginToken"]);
    expect(body.loginLink).toBe(
      `${t.config.baseUrl}/jsp/developer_login.jsp?ref=${body.loginToken}`,
    );

    // The link is a page (a scanner's GET uses nothing), then the POST from the bound address.
    const page = await t.app.inject({
      method: "GET",
      url: `/jsp/developer_login.jsp?ref=${body.loginToken}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/login/${body.loginToken}"`);
    const fromElsewhere = await t.app.inject({
      method: "POST",
      url: `/login/${body.loginToken}`,
      headers: { "sec-fetch-site": "same-origin" },
      remoteAddress: "62.216.234.217",
    });
    expect(fromElsewhere.statusCode).toBe(403);

    const second = (await ssoToken(userId)).json();
    const landed = await t.app.inject({
      method: "POST",
      url: `/login/${second.loginToken}`,
      headers: { "sec-fetch-site": "same-origin" },
      remoteAddress: "62.216.234.216",
    });
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("https://portal.example/");
    const cookie = sessionCookie(landed);
    expect(String(landed.headers["set-cookie"])).toContain("Max-Age=1800");
    const verified = await verify(t.app, cookie);
    expect(verified.headers["x-handoff-user"]).toBe(userId);
    // 30 minutes and no more, however busy the session is; then a new token is needed.
    for (let i = 0; i < 5; i++) {
      t.clock.advance(5 * 60_000);
      expect((await verify(t.app, cookie)).statusCode).toBe(200);
    }
    t.clock.advance(5 * 60_000 + 1);
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
  });

  it("creates a user once when creations race, and answers a taken username with 409 (never 500)", async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => createUser(ada)));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    const users = await t.database.read
      .selectFrom("users")
      .select("id")
      .where("external_id", "=", "ada")
      .execute();
    expect(users).toHaveLength(1);
    const { userId } = (
      await createUser({ ...ada, username: "grace", email: "g@m.example" })
    ).json();
    const renames = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.app.inject({
          method: "PUT",
          url: `/services/2/cp/user/${userId}`,
          headers: { authorization: basic },
          payload: { username: "ada" },
        }),
      ),
    );
    expect(renames.map((r) => r.statusCode)).toEqual(Array(5).fill(409));
  });

  it("reads, changes and deletes users; deleting one ends its tokens and sessions", async () => {
    const { userId } = (await createUser(ada)).json();
    const auth = { authorization: basic };
    const read = await t.app.inject({
      method: "GET",
      url: `/services/2/cp/user/${userId}`,
      headers: auth,
    });
    expect(read.json()).toEqual({ userId, ...ada });
    const changed = await t.app.inject({
      method: "PUT",
      url: `/services/2/cp/user/${userId}`,
      headers: auth,
      payload: { lastName: "King", email: "ada.king@merchant.example" },
    });
    expect(changed.json()).toEqual({
      userId,
      ...ada,
      lastName: "King",
      email: "ada.king@merchant.example",
    });

    const token = (await ssoToken(userId)).json().loginToken;
    const cookie = sessionCookie(
      await t.app.inject({
        method: "POST",
        url: `/login/${(await ssoToken(userId)).json().loginToken}`,
        headers: { "sec-fetch-site": "same-origin" },
        remoteAddress: "62.216.234.216",
      }),
    );
    const deleted = await t.app.inject({
      method: "DELETE",
      url: `/services/2/cp/user/${userId}`,
      headers: auth,
    });
    expect(deleted.statusCode).toBe(204);
    expect((await verify(t.app, cookie)).statusCode).toBe(401);
    const late = await t.app.inject({
      method: "POST",
      url: `/login/${token}`,
      headers: { "sec-fetch-site": "same-origin" },
      remoteAddress: "62.216.234.216",
    });
    expect(late.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: "GET", url: `/services/2/cp/user/${userId}`, headers: auth }))
        .statusCode,
    ).toBe(404);
  });

  it("acts on behalf of a linked account only, which then owns the user", async () => {
    const child = await domainsOf(t.app).partners.create({ name: "Sub-merchant" });
    const stranger = await domainsOf(t.app).partners.create({ name: "Stranger" });
    await domainsOf(t.app).partners.link(partner.partnerId, child.partner.id);
    const created = await createUser(ada, `?onbehalfofmid=${child.partner.id}`);
    expect(created.statusCode).toBe(201);
    const { userId } = created.json();
    // The user is the sub-account's: without onbehalfofmid it is not the caller's.
    expect((await ssoToken(userId)).statusCode).toBe(404);
    const minted = await ssoToken(userId, `?onbehalfofmid=${child.partner.id}`);
    expect(minted.statusCode).toBe(200);
    const refused = await createUser(ada, `?onbehalfofmid=${stranger.partner.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("not_linked");
    expect((await ssoToken(userId, `?onbehalfofmid=${stranger.partner.id}`)).statusCode).toBe(403);
  });

  it("refuses bad input with a clear error and creates nothing", async () => {
    const { userId } = (await createUser(ada)).json();
    const before = await t.database.read.selectFrom("tickets").select("id").execute();
    const wrongPassword = `Basic ${Buffer.from(`${partner.partnerId}:hak_${"A".repeat(59)}`).toString("base64")}`;
    const otherPartner = await makePartner(t.app, "Other");
    const mixed = `Basic ${Buffer.from(`${otherPartner.partnerId}:${partner.apiToken}`).toString("base64")}`;
    for (const auth of [wrongPassword, mixed, "Basic !!!", "", `Bearer ${partner.apiToken}`]) {
      const refused = await ssoToken(userId, "", " 62.216.234.216", auth);
      expect(refused.statusCode, auth).toBe(401);
      expect(refused.headers["www-authenticate"], auth).toBe('Basic realm="handoff"');
    }
    const cases: [string, number, string][] = [
      ["62.216.234", 400, "requestingUserIp"],
      ["not an ip", 400, "requestingUserIp"],
      ["", 400, "requestingUserIp"],
    ];
    for (const [ip, status, hint] of cases) {
      const response = await ssoToken(userId, "", ip);
      expect(response.statusCode, ip).toBe(status);
      expect(response.body).toContain(hint);
    }
    expect((await ssoToken("usr_unknown")).statusCode).toBe(404);
    const otherUser = (
      await createUser(
        ada,
        "",
        `Basic ${Buffer.from(`${otherPartner.partnerId}:${otherPartner.apiToken}`).toString("base64")}`,
      )
    ).json().userId;
    expect((await ssoToken(otherUser)).statusCode).toBe(404);
    const missing = await createUser({ firstName: "A", lastName: "B", email: "a@b.example" });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("username");
    expect((await createUser(ada)).statusCode).toBe(409);
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toEqual(before);
  });
});
