// Issue 26 (hardening II), SECURITY rows 55 and 56: nothing done twice under a race, and
// anonymous traffic writes nothing in key tables.
import { afterEach, describe, expect, it } from "vitest";
import { dialects, type TestApp, testApp } from "./helpers/app.js";
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
    const answers = await Promise.all(Array.from({ length: 8 }, logout));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    const ends = await t.database.read
      .selectFrom("audit_log")
      .select("subject")
      .where("action", "=", "session.end")
      .execute();
    expect(ends).toHaveLength(1);
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
