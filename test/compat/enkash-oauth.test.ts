// Seed 000 (Enkash) authentication: POST /oauth/token with the password grant of a partner user
// and Basic partner credentials, refresh rotation, and the lock after three wrong passwords.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  dialects,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";

const PASSWORD = "a-long-partner-user-password";

describe.each(dialects)("seed 000 (Enkash) token endpoint on %s", (dialect) => {
  let t: TestApp;
  let partner: PartnerFixture;

  beforeEach(async () => {
    t = await testApp(dialect);
    partner = await makePartner(t.app, "Rewards Partner");
    await domainsOf(t.app).partnerUsers.create(
      partner.partnerId,
      "owner@partner.example",
      PASSWORD,
    );
    await domainsOf(t.app).partnerUsers.create(partner.partnerId, "+91 98000 00000", PASSWORD);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const token = (
    form: Record<string, string>,
    auth = `Basic ${Buffer.from(`${partner.partnerId}:${partner.partnerToken}`).toString("base64")}`,
  ) =>
    t.app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth },
      payload: new URLSearchParams(form).toString(),
    });
  const password = (username: string, secret = PASSWORD, clientId = partner.partnerId) =>
    token({ grant_type: "password", username, password: secret, clientId });

  it("grants an access token and a refresh token; the access token works like the native one", async () => {
    const response = await password("owner@partner.example");
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      refresh_token: expect.stringMatching(/^hrt_/),
      expires_in: 86400,
      scope: "partner",
    });
    const me = await t.app.inject({
      method: "GET",
      url: "/v1/partner",
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.json()).toMatchObject({ id: partner.partnerId, api_token_id: null });
    expect(me.json().partner_user_id).toMatch(/^pus_/);
    // A mobile number login, written differently.
    expect((await password("919800000000")).statusCode).toBe(200);
  });

  it("rotates the refresh token; the old one stops working, and a replay ends the family", async () => {
    const first = (await password("owner@partner.example")).json();
    const second = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(second.statusCode).toBe(200);
    const next = second.json();
    expect(next.refresh_token).not.toBe(first.refresh_token);
    const replay = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe("invalid_grant");
    // The replay revoked the successor too: whoever holds a copy gets nothing more.
    expect(
      (await token({ grant_type: "refresh_token", refresh_token: next.refresh_token })).statusCode,
    ).toBe(400);
  });

  it("locks a partner user after three wrong passwords, even for the right one, until unlocked or timed out", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await password("owner@partner.example", "wrong-password-123")).statusCode).toBe(400);
    }
    const locked = await password("owner@partner.example");
    expect(locked.statusCode).toBe(400);
    expect(locked.json().error).toBe("invalid_grant");
    await domainsOf(t.app).partnerUsers.unlock(partner.partnerId, {
      login: "owner@partner.example",
    });
    expect((await password("owner@partner.example")).statusCode).toBe(200);

    for (let i = 0; i < 3; i++) await password("owner@partner.example", "wrong-password-123");
    expect((await password("owner@partner.example")).statusCode).toBe(400);
    t.clock.advance(900_001);
    expect((await password("owner@partner.example")).statusCode).toBe(200);
  });

  it("answers an unknown user, a wrong password and a locked user alike (SECURITY row 3)", async () => {
    const unknown = await password("nobody@partner.example");
    const wrong = await password("owner@partner.example", "wrong-password-123");
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
    for (let i = 0; i < 3; i++) await password("919800000000", "wrong-password-123");
    const locked = await password("919800000000");
    expect(locked.statusCode).toBe(wrong.statusCode);
    expect(locked.body).toBe(wrong.body);
  });

  it("counts wrong passwords per user, whatever address they come from (SECURITY row 5)", async () => {
    const from = (remoteAddress: string, secret: string) =>
      t.app.inject({
        method: "POST",
        url: "/oauth/token",
        remoteAddress,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${partner.partnerId}:${partner.partnerToken}`).toString("base64")}`,
        },
        payload: new URLSearchParams({
          grant_type: "password",
          username: "owner@partner.example",
          password: secret,
          clientId: partner.partnerId,
        }).toString(),
      });
    for (const ip of ["198.51.100.1", "198.51.100.2", "2001:db8::3"]) {
      expect((await from(ip, "wrong-password-123")).statusCode).toBe(400);
    }
    expect((await from("203.0.113.99", PASSWORD)).statusCode).toBe(400);
    const row = (await domainsOf(t.app).partnerUsers.list(partner.partnerId)).find(
      (u) => u.login === "owner@partner.example",
    );
    expect(row?.locked_until).toBeGreaterThan(t.clock.now());
  });

  it("refuses wrong client credentials, an unlinked clientId and bad grants in OAuth's shape", async () => {
    const other = await makePartner(t.app, "Other");
    const wrongClient = await password("owner@partner.example", PASSWORD, partner.partnerId);
    expect(wrongClient.statusCode).toBe(200);
    const swapped = await token(
      {
        grant_type: "password",
        username: "owner@partner.example",
        password: PASSWORD,
        clientId: partner.partnerId,
      },
      `Basic ${Buffer.from(`${partner.partnerId}:${other.partnerToken}`).toString("base64")}`,
    );
    expect(swapped.statusCode).toBe(401);
    expect(swapped.json()).toMatchObject({ error: "invalid_client" });
    expect(swapped.headers["www-authenticate"]).toContain("Basic");
    const unlinked = await password("owner@partner.example", PASSWORD, other.partnerId);
    expect(unlinked.statusCode).toBe(400);
    expect(unlinked.json().error_description).toContain("clientId");
    const child = await domainsOf(t.app).partners.create({ name: "Company" });
    await domainsOf(t.app).partners.link(partner.partnerId, child.partner.id);
    expect((await password("owner@partner.example", PASSWORD, child.partner.id)).statusCode).toBe(
      200,
    );
    expect((await token({ grant_type: "client_credentials" })).json().error).toBe(
      "unsupported_grant_type",
    );
    const missing = await token({ grant_type: "password", username: "owner@partner.example" });
    expect(missing.json()).toMatchObject({ error: "invalid_request" });
    expect(missing.json().error_description).toContain("password");
  });
});
