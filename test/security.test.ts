// SECURITY.md rows 1, 2, 6, 38, 39 (tickets, sessions and app secrets included): secrets only as hashes, spraying throttled, nothing secret in logs.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  hashSecret,
  mintSecret,
  parseSecret,
  SecretPrefix,
  secretMatches,
} from "../src/crypto/secrets.js";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  makePartner,
  type TestApp,
  testApp,
} from "./helpers/app.js";
import { mint, redeem, sessionCookie, ssoFixture } from "./helpers/sso.js";

type Table = { name: string };

describe.each(dialects)("secrets at rest on %s", (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp(dialect);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("stores only hashes: a dump of every table holds no minted secret", async () => {
    const partner = await makePartner(t.app);
    const rotated = await domainsOf(t.app).partners.rotatePartnerToken(partner.partnerId);
    const ssoKey = await domainsOf(t.app).partners.rotateSsoKey(partner.partnerId);
    const access = await accessTokenFor(t.app, partner);
    const sso = await ssoFixture(t.app, {}, "Second");
    const minted = await mint(t.app, sso, { partner_data: { auth_token: "tpd-auth-token-xyz" } });
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    const pending = await mint(t.app, sso);
    await domainsOf(t.app).operators.create("ops@platform.example", "operator password 1");
    const signedIn = await t.app.inject({
      method: "POST",
      url: "/v1/manage/sign-in",
      payload: { login: "ops@platform.example", password: "operator password 1" },
    });
    const consoleCookie = signedIn.cookies.find((c) => c.name === "handoff_console")?.value;
    expect(consoleCookie).toMatch(/^hcs_/);
    const secrets = [
      consoleCookie as string,
      "operator password 1",
      partner.partnerToken,
      partner.apiToken,
      rotated,
      ssoKey,
      access,
      minted.ticket,
      pending.ticket,
      cookie,
      sso.appSecret,
    ];
    // Every table the database holds, read from its own catalogue: a table added tomorrow is
    // covered the day it lands (only the migration bookkeeping is left out).
    const catalogue =
      dialect === "sqlite"
        ? sql<Table>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
        : sql<Table>`select tablename as name from pg_tables where schemaname = 'public'`;
    const tables = (await catalogue.execute(t.database.read)).rows
      .map((row) => row.name)
      .filter((name) => !name.startsWith("handoff_migration"));
    expect(tables.length).toBeGreaterThanOrEqual(26);
    expect(tables).toEqual(expect.arrayContaining(["sessions", "outbox", "webhook_endpoints"]));
    let dump = "";
    for (const table of tables) {
      const rows = await sql`select * from ${sql.table(table)}`.execute(t.database.read);
      dump += JSON.stringify(rows.rows);
    }
    expect(dump.length).toBeGreaterThan(500);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      // Nor the secret part alone (the id part is a locator and may appear).
      const parsed = parseSecret(secret.slice(0, 3) as SecretPrefix, secret);
      if (parsed) expect(dump).not.toContain(parsed.secret);
      else {
        expect(
          secret.startsWith("has_") || secret.split(".").length === 3 || !secret.includes("_"),
        ).toBe(true);
      }
    }
    expect(dump).not.toContain("tpd-auth-token-xyz");
    // The signing key's private part is sealed, never a plain JWK with "d".
    expect(dump).not.toMatch(/\\"d\\":/);
  });
});

describe("secret comparison", () => {
  it("matches only the exact secret, on equal-length digests", () => {
    const minted = mintSecret(SecretPrefix.apiToken);
    const parsed = parseSecret(SecretPrefix.apiToken, minted.token);
    if (!parsed) throw new Error("a minted token must parse");
    expect(secretMatches(parsed.secret, minted.hash)).toBe(true);
    expect(secretMatches(`${parsed.secret}x`, minted.hash)).toBe(false);
    expect(secretMatches(parsed.secret.toUpperCase(), minted.hash)).toBe(false);
    expect(secretMatches(parsed.secret, hashSecret("other"))).toBe(false);
    expect(secretMatches(parsed.secret, "short")).toBe(false);
    expect(parseSecret(SecretPrefix.partnerToken, minted.token)).toBeNull();
    expect(parseSecret(SecretPrefix.apiToken, `${minted.token}x`)).toBeNull();
  });
});

describe("credential spraying", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp("sqlite", { authFailuresPerMinute: 5 });
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("answers 429 to a client spraying invalid tokens, logs it, and leaves other clients alone", async () => {
    const partner = await makePartner(t.app);
    const spray = (remoteAddress: string, body: Record<string, string>) =>
      t.app.inject({ method: "POST", url: "/v1/auth/token", payload: body, remoteAddress });
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await spray("203.0.113.9", {
            partner_token: partner.partnerToken,
            api_token: `hak_guess${i}`,
          })
        ).statusCode,
      ).toBe(401);
    }
    const blocked = await spray("203.0.113.9", {
      partner_token: partner.partnerToken,
      api_token: "hak_guess-again",
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe("rate_limited");
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    const seedShape = await t.app.inject({
      method: "POST",
      url: "/v1/autho/apitoken/login/",
      payload: { partner_token: partner.partnerToken, api_token: "hak_guess-in-seed-shape" },
      remoteAddress: "203.0.113.9",
    });
    expect(seedShape.statusCode).toBe(429);
    expect(seedShape.json().status).toBe("DATA_ERROR");
    expect(t.logs.some((line) => line.includes("too many failed credential attempts"))).toBe(true);
    // The real partner's credentials are served, from the sprayer's address (one NAT) too.
    const same = await spray("203.0.113.9", {
      partner_token: partner.partnerToken,
      api_token: partner.apiToken,
    });
    expect(same.statusCode).toBe(200);
    const other = await spray("198.51.100.7", {
      partner_token: partner.partnerToken,
      api_token: partner.apiToken,
    });
    expect(other.statusCode).toBe(200);
  });
});

describe("logs", () => {
  it("never carry a minted secret, an Authorization header or a password, even in URLs", async () => {
    const t = await testApp("sqlite", { logLevel: "trace" });
    const partner = await makePartner(t.app);
    const access = await accessTokenFor(t.app, partner);
    await t.app.inject({
      method: "GET",
      url: "/v1/partner",
      headers: { authorization: `Bearer ${access}` },
    });
    await t.app.inject({
      method: "GET",
      url: `/nowhere/${partner.apiToken}?password=hunter2hunter2&ref=${partner.partnerToken}`,
    });
    await t.app.inject({
      method: "POST",
      url: "/v1/autho/apitoken/login/",
      payload: { partner_token: partner.partnerToken, api_token: "hak_bad" },
    });
    const sso = await ssoFixture(t.app, {}, "Second");
    const minted = await mint(t.app, sso, { partner_data: { auth_token: "tpd-auth-token-xyz" } });
    await t.app.inject({ method: "GET", url: `/login/${minted.ticket}` });
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    await t.app.inject({
      method: "GET",
      url: "/v1/session/verify",
      headers: { cookie: `handoff_session=${cookie}` },
    });
    await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      payload: { token: cookie, client_id: sso.appId, client_secret: sso.appSecret },
    });
    await t.app.close();
    const all = t.logs.join("\n");
    expect(all).toContain("/nowhere/hak_[redacted]?password=[redacted]&ref=[redacted]");
    expect(all).toContain("/login/hts_[redacted]");
    for (const secret of [
      partner.partnerToken,
      partner.apiToken,
      access,
      "hunter2hunter2",
      minted.ticket,
      cookie,
      sso.appSecret,
      sso.token,
      "tpd-auth-token-xyz",
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
