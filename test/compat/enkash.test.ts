// Seed 000 (Enkash): the page's own SSO request (partnerId header, Cookie header, body), the
// vendor's envelope, and both views of the redirect URL landing on their pages.
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
import { sessionCookie } from "../helpers/sso.js";

describe.each(dialects)("seed 000 (Enkash) on %s", (dialect) => {
  let t: TestApp;
  let partner: PartnerFixture;
  let token: string;
  let appId: string;
  let appSecret: string;

  beforeEach(async () => {
    t = await testApp(dialect);
    partner = await makePartner(t.app, "Rewards Partner");
    token = await accessTokenFor(t.app, partner);
    const rewards = await domainsOf(t.app).apps.create({
      name: "Rewards",
      baseUrl: "https://rewards.example",
      products: ["rewards"],
    });
    appId = rewards.id;
    appSecret = await domainsOf(t.app).apps.rotateSecret(rewards.id);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const ssoToken = (
    body: Record<string, unknown>,
    headers: Record<string, string> = { partnerId: partner.partnerId },
  ) =>
    t.app.inject({
      method: "POST",
      url: "/api/v0/partner/enKashCard/sso-token",
      headers: {
        authorization: `Bearer ${token}`,
        cookie: "JSESSIONID=BC1A71C9BC65576B3AB0E78896971B9E",
        "content-type": "application/json",
        ...headers,
      },
      payload: JSON.stringify(body, null, 4),
    });

  const example = () => ({
    cardAccountId: "CAQL8YCV3",
    companyId: partner.partnerId,
    enkashCardId: "EKCDM5AVZY",
  });

  it("answers the page's request in the vendor's envelope; each view lands on its page", async () => {
    const response = await ssoToken(example());
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ response_code: 0, response_message: "Success" });
    const { ssoToken: ticket, redirectUrl } = body.payload;
    expect(redirectUrl).toBe(
      `${t.config.baseUrl}/sso/${ticket}/employee_rewards/${partner.partnerId}`,
    );

    const page = await t.app.inject({ method: "GET", url: new URL(redirectUrl).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="/login/${ticket}?view=employee_rewards"`);
    const landed = await t.app.inject({
      method: "POST",
      url: `/login/${ticket}?view=employee_rewards`,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe("https://rewards.example/employee_rewards");
    const seen = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: sessionCookie(landed), client_id: appId, client_secret: appSecret },
    });
    expect(seen.json()).toMatchObject({
      active: true,
      username: "CAQL8YCV3",
      partner: partner.partnerId,
      context: { enkashCardId: "EKCDM5AVZY" },
    });

    const admin = (await ssoToken(example())).json().payload.ssoToken;
    const adminPage = await t.app.inject({
      method: "GET",
      url: `/sso/${admin}/reward_account/${partner.partnerId}`,
    });
    expect(adminPage.body).toContain(`action="/login/${admin}?view=reward_account"`);
    const adminLanded = await t.app.inject({
      method: "POST",
      url: `/login/${admin}?view=reward_account`,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(adminLanded.headers.location).toBe("https://rewards.example/reward_account");
  });

  it("acts for a linked company only", async () => {
    const child = await domainsOf(t.app).partners.create({ name: "Client Co" });
    await domainsOf(t.app).partners.link(partner.partnerId, child.partner.id);
    const ok = await ssoToken({ ...example(), companyId: child.partner.id });
    expect(ok.json().payload.redirectUrl).toContain(`/employee_rewards/${child.partner.id}`);
    const stranger = await domainsOf(t.app).partners.create({ name: "Stranger" });
    const refused = await ssoToken({ ...example(), companyId: stranger.partner.id });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ response_code: 1, payload: null });
    expect(refused.json().response_message).toContain("on_behalf_of");
  });

  it("refuses a wrong partnerId header, bad bodies and a mismatched link, in its own envelope", async () => {
    const before = await t.database.read.selectFrom("tickets").select("id").execute();
    const other = await makePartner(t.app, "Other");
    const wrongHeader = await ssoToken(example(), { partnerId: other.partnerId });
    expect(wrongHeader.statusCode).toBe(401);
    expect(wrongHeader.json()).toMatchObject({ response_code: 1 });
    expect(wrongHeader.json().response_message).toContain("partnerId");
    const noHeader = await ssoToken(example(), {});
    expect(noHeader.statusCode).toBe(400);
    for (const missing of ["cardAccountId", "companyId", "enkashCardId"]) {
      const { [missing]: _, ...rest } = example() as Record<string, string>;
      const response = await ssoToken(rest);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ response_code: 1 });
      expect(response.json().response_message).toContain(missing);
    }
    const noBearer = await t.app.inject({
      method: "POST",
      url: "/api/v0/partner/enKashCard/sso-token",
      headers: { partnerId: partner.partnerId, "content-type": "application/json" },
      payload: JSON.stringify(example()),
    });
    expect(noBearer.statusCode).toBe(401);
    expect(await t.database.read.selectFrom("tickets").select("id").execute()).toEqual(before);

    const ticket = (await ssoToken(example())).json().payload.ssoToken;
    const wrongPartner = await t.app.inject({
      method: "GET",
      url: `/sso/${ticket}/employee_rewards/${other.partnerId}`,
    });
    expect(wrongPartner.statusCode).toBe(404);
    const wrongView = await t.app.inject({
      method: "POST",
      url: `/login/${ticket}?view=settings`,
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(wrongView.statusCode).toBe(404);
    const id = ticket.slice(4, 20);
    expect((await domainsOf(t.app).tickets.status(partner.partnerId, id)).status).toBe("issued");
  });
});
