// Issue 26 (hardening II), SECURITY rows 6/60, 48 and 61: a flood of made-up credentials from one
// address never refuses a valid one from the same address and writes (almost) nothing; nothing
// is done twice under a race; anonymous traffic writes nothing in key tables.
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../src/db/database.js";
import { type MailMessage, Outbox, type Senders } from "../src/delivery/outbox.js";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  makePartner,
  type TestApp,
  testApp,
} from "./helpers/app.js";
import { mint, redeem, sessionCookie, ssoFixture } from "./helpers/sso.js";

const browser = { "sec-fetch-site": "same-origin" };

describe.each(dialects)("done once on %s", (dialect) => {
  let t: TestApp;
  afterEach(async () => t.app.close());

  it("ends a session once when logouts race: one audit entry (and so one session.ended event)", async () => {
    t = await testApp(dialect);
    const f = await ssoFixture(t.app);
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const logout = () =>
      t.app.inject({
        method: "POST",
        url: "/logout",
        headers: { ...browser, cookie: `handoff_session=${cookie}` },
      });
    // On PostgreSQL (CI) the logouts' transactions overlap and all read the session live; SQLite
    // and PGlite run writes one at a time, where this checks the same answer.
    const answers = await Promise.all(Array.from({ length: 8 }, logout));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    const ends = await t.database.read
      .selectFrom("audit_log")
      .select("subject")
      .where("action", "=", "session.end")
      .execute();
    expect(ends).toHaveLength(1);
  });

  it("sends each of 50 queued messages once with two outbox workers racing", async () => {
    t = await testApp(dialect);
    const { database, clock, sealer } = domainsOf(t.app);
    const first = domainsOf(t.app).delivery.outbox;
    const second = new Outbox(database, clock, sealer);
    for (let i = 0; i < 50; i++) {
      const message: MailMessage = {
        kind: "email",
        to: `p${i}@x.example`,
        subject: "s",
        text: "t",
        html: "<p>t</p>",
      };
      await database.write((trx) => first.enqueue(trx, message));
    }
    const sent: string[] = [];
    const log = t.app.log;
    const senders: Senders = {
      email: {
        send: async (_message, id) => {
          await new Promise((resolve) => setImmediate(resolve));
          sent.push(id);
        },
      },
      sms: null,
    };
    // Both workers, each in turns of a batch, until nothing is left.
    for (let round = 0; round < 10 && sent.length < 50; round++) {
      await Promise.all([first.deliver(senders, log), second.deliver(senders, log)]);
    }
    expect(sent).toHaveLength(50);
    expect(new Set(sent).size).toBe(50);
    const pending = await database.read
      .selectFrom("outbox")
      .select("id")
      .where("sent_at", "is", null)
      .execute();
    expect(pending).toEqual([]);
  });

  it("makes one RS256 key however many first requests reach the OpenID provider at once", async () => {
    t = await testApp(dialect);
    const before = await t.database.read.selectFrom("signing_keys").select("kid").execute();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.app.inject({ method: "GET", url: "/oidc/.well-known/openid-configuration" }),
      ),
    );
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    const rs256 = await t.database.read
      .selectFrom("signing_keys")
      .select("kid")
      .where("alg", "=", "RS256")
      .execute();
    expect(rs256).toHaveLength(1);
    const after = await t.database.read.selectFrom("signing_keys").select("kid").execute();
    expect(after).toHaveLength(before.length + 1);
  });
});

/** Rows in every table, from the database's own catalogue (SQLite). */
async function rowCount(database: Database): Promise<number> {
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
    database.read,
  );
  let rows = 0;
  for (const { name } of tables.rows) {
    const counted = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(
      database.read,
    );
    rows += Number(counted.rows[0]?.n ?? 0);
  }
  return rows;
}

describe("a flood of made-up credentials from one address (SECURITY row 6)", () => {
  let t: TestApp;
  afterEach(async () => t.app.close());

  it("keeps serving the valid ones from that same address through 10 000 made-up ones", {
    timeout: 120_000,
  }, async () => {
    t = await testApp("sqlite");
    const f = await ssoFixture(t.app);
    const partner = await makePartner(t.app, "Flooded Partner");
    const bearer = await accessTokenFor(t.app, partner);
    const cookie = sessionCookie(await redeem(t.app, (await mint(t.app, f)).ticket));
    const remoteAddress = "203.0.113.50"; // one proxy, or one NAT, for everyone
    const rowsBefore = await rowCount(t.database);
    const made = [
      () =>
        t.app.inject({
          url: "/v1/session/verify",
          headers: { cookie: `handoff_session=${cookie.slice(0, -6)}AAAAAA` },
          remoteAddress,
        }),
      () =>
        t.app.inject({
          url: "/v1/partner",
          headers: { authorization: "Bearer made.up.token" },
          remoteAddress,
        }),
      () =>
        t.app.inject({
          method: "POST",
          url: "/v1/auth/token",
          payload: { partner_token: partner.partnerToken, api_token: "hak_made-up" },
          remoteAddress,
        }),
      () =>
        t.app.inject({
          method: "POST",
          url: `/login/hts_${"A".repeat(20)}.${"B".repeat(43)}`,
          headers: { "sec-fetch-site": "same-origin" },
          remoteAddress,
        }),
    ];
    const valid = async () => {
      const verified = await t.app.inject({
        url: "/v1/session/verify",
        headers: { cookie: `handoff_session=${cookie}` },
        remoteAddress,
      });
      const partnerCall = await t.app.inject({
        url: "/v1/partner",
        headers: { authorization: `Bearer ${bearer}` },
        remoteAddress,
      });
      const exchanged = await t.app.inject({
        method: "POST",
        url: "/v1/auth/token",
        payload: { partner_token: partner.partnerToken, api_token: partner.apiToken },
        remoteAddress,
      });
      return [verified.statusCode, partnerCall.statusCode, exchanged.statusCode];
    };
    const refusals = new Map<number, number>();
    let validRounds = 0;
    for (let i = 0; i < 10_000; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          (made[(i + j) % made.length] as () => Promise<{ statusCode: number }>)(),
        ),
      );
      for (const { statusCode } of answers) {
        refusals.set(statusCode, (refusals.get(statusCode) ?? 0) + 1);
      }
      if (i % 500 === 0) {
        expect(await valid()).toEqual([200, 200, 200]);
        validRounds++;
      }
    }
    // Made-up credentials are refused (401, then 429 past the allowance), never served.
    expect(refusals.get(200)).toBeUndefined();
    expect((refusals.get(429) ?? 0) + (refusals.get(401) ?? 0) + (refusals.get(404) ?? 0)).toBe(
      10_000,
    );
    expect(refusals.get(429)).toBeGreaterThan(9_000);
    // 10 000 made-up credentials wrote nothing; the valid exchanges at most a row each.
    const written = (await rowCount(t.database)) - rowsBefore;
    console.log(`rows written by 10 000 made-up and ${validRounds * 3} valid requests: ${written}`);
    expect(written).toBeLessThanOrEqual(validRounds);
  });
});
