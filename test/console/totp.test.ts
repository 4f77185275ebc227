// The console's second factor: enrol with a first code, sign-in owes a code that works once,
// recovery codes work once, five wrong codes end the sign-in, and operators can be required to
// enrol (HANDOFF_CONSOLE_REQUIRE_2FA=1).
import { afterEach, describe, expect, it } from "vitest";
import { totpCode } from "../../src/console/signin/totp.js";
import { dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { type ConsoleUser, PASSWORD, signInConsole } from "../helpers/console.js";

describe.each(dialects)("console second factor on %s", (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  async function enrol(user: ConsoleUser): Promise<{ secret: string; recovery: string[] }> {
    const begun = await user.call({ method: "POST", url: "/v1/manage/me/totp" });
    expect(begun.statusCode).toBe(201);
    const { secret, otpauth_uri: uri } = begun.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const wrong = await user.call({
      method: "POST",
      url: "/v1/manage/me/totp/confirm",
      payload: { code: "000000" === totpCode(secret, t.clock.now()) ? "111111" : "000000" },
    });
    expect(wrong.statusCode).toBe(401);
    const confirmed = await user.call({
      method: "POST",
      url: "/v1/manage/me/totp/confirm",
      payload: { code: totpCode(secret, t.clock.now()) },
    });
    expect(confirmed.statusCode).toBe(200);
    const recovery = confirmed.json().recovery_codes as string[];
    expect(recovery).toHaveLength(10);
    // Stored sealed, never in the clear; recovery codes only as hashes.
    const row = await t.database.read
      .selectFrom("console_totp")
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(recovery[0]);
    return { secret, recovery };
  }

  const give = (user: ConsoleUser, code: string) =>
    user.call({ method: "POST", url: "/v1/manage/sign-in/totp", payload: { code } });
  const partners = (user: ConsoleUser) => user.call({ method: "GET", url: "/v1/manage/partners" });

  it("asks for a code after the password once enrolled; each code and recovery code works once", async () => {
    t = await testApp(dialect);
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const first = await signInConsole(t.app, "ops@platform.example");
    const { secret, recovery } = await enrol(first);

    const owing = await signInConsole(t.app, "ops@platform.example");
    expect((await owing.call({ method: "GET", url: "/v1/manage/me" })).json().pending).toBe("totp");
    const refused = await partners(owing);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe("second_factor_required");
    t.clock.advance(30_000);
    const code = totpCode(secret, t.clock.now());
    expect((await give(owing, code)).statusCode).toBe(200);
    expect((await partners(owing)).statusCode).toBe(200);

    // The same code again, in another sign-in: spent.
    const replay = await signInConsole(t.app, "ops@platform.example");
    expect((await give(replay, code)).statusCode).toBe(401);
    // A recovery code works once.
    expect((await give(replay, recovery[0] as string)).statusCode).toBe(200);
    const again = await signInConsole(t.app, "ops@platform.example");
    expect((await give(again, recovery[0] as string)).statusCode).toBe(401);
    expect((await give(again, (recovery[1] as string).toUpperCase())).statusCode).toBe(200);

    // Turning it off needs a current code.
    t.clock.advance(30_000);
    const off = (c: string) =>
      again.call({ method: "POST", url: "/v1/manage/me/totp/disable", payload: { code: c } });
    expect((await off("123456")).statusCode).toBe(401);
    expect((await off(totpCode(secret, t.clock.now()))).statusCode).toBe(204);
    const plain = await signInConsole(t.app, "ops@platform.example");
    expect((await partners(plain)).statusCode).toBe(200);
  });

  it("ends a sign-in after five wrong codes", async () => {
    t = await testApp(dialect);
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const { secret } = await enrol(await signInConsole(t.app, "ops@platform.example"));
    const owing = await signInConsole(t.app, "ops@platform.example");
    t.clock.advance(30_000);
    const right = totpCode(secret, t.clock.now());
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) expect((await give(owing, wrong)).statusCode).toBe(401);
    const after = await give(owing, right);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("no_console_session");
  });

  it("makes operators enrol first where HANDOFF_CONSOLE_REQUIRE_2FA is on; partner users need not", async () => {
    t = await testApp(dialect, { consoleRequire2fa: true });
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    const { partner } = await domainsOf(t.app).partners.create({ name: "P" });
    await domainsOf(t.app).partnerUsers.create(partner.id, "admin@p.example", PASSWORD);
    const admin = await signInConsole(t.app, "admin@p.example", partner.id);
    expect((await partners(admin)).statusCode).toBe(200);
    const operator = await signInConsole(t.app, "ops@platform.example");
    expect((await operator.call({ method: "GET", url: "/v1/manage/me" })).json().pending).toBe(
      "enrol",
    );
    expect((await partners(operator)).json().code).toBe("second_factor_required");
    const { secret } = await enrol(operator);
    expect((await partners(operator)).statusCode).toBe(200);
    t.clock.advance(30_000);
    const off = await operator.call({
      method: "POST",
      url: "/v1/manage/me/totp/disable",
      payload: { code: totpCode(secret, t.clock.now()) },
    });
    expect(off.statusCode).toBe(403);
  });
});
