// SECURITY row 48 (issue 15 item 1): anonymous requests cannot grow the database without bound.
// oidc-provider writes an interaction for every authorization request and a logout state for
// every RP-initiated logout; without a live Handoff session a client address gets
// HANDOFF_ANONYMOUS_PER_MINUTE of them (30), then a 429 page, while signed-in people go on.
import * as client from "openid-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authorize, type OidcFixture, oidcFixture, REDIRECT, signIn } from "../helpers/oidc.js";

describe("anonymous OIDC requests", () => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture("sqlite");
  });
  afterEach(async () => f.t.app.close());

  const rows = async () =>
    (await f.t.database.read.selectFrom("oidc_models").select("model").execute()).length;

  it("writes at most the allowance of rows for logouts and authorizations without a session", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push((await fetch(`${f.base}/oidc/session/end`)).status);
    }
    const url = client.buildAuthorizationUrl(f.rp, {
      redirect_uri: REDIRECT,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    for (let i = 0; i < 20; i++) {
      statuses.push((await fetch(url.href, { redirect: "manual" })).status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect(await rows()).toBeLessThanOrEqual(30);
    const page = await fetch(`${f.base}/oidc/session/end`);
    expect(page.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await page.text()).toContain("Too many attempts");

    // A person with a live Handoff session still signs in from the same address.
    const jar = await signIn(f);
    const { landed } = await authorize(f, jar);
    expect(new URL(landed).searchParams.get("code")).toBeTruthy();
  });

  it("writes nothing long-lived and nothing in key tables for anonymous requests (issue 26)", async () => {
    const count = async (table: "signing_keys" | "changes") =>
      (await f.t.database.read.selectFrom(table).selectAll().execute()).length;
    const keys = await count("signing_keys");
    const changes = await count("changes");
    const url = client.buildAuthorizationUrl(f.rp, {
      redirect_uri: REDIRECT,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    await Promise.all(
      Array.from({ length: 15 }, () => fetch(`${f.base}/oidc/session/end`)).concat(
        Array.from({ length: 15 }, () => fetch(url.href, { redirect: "manual" })),
      ),
    );
    const written = await f.t.database.read
      .selectFrom("oidc_models")
      .select(["model", "expires_at"])
      .execute();
    expect(written.length).toBeGreaterThan(0);
    const now = f.t.clock.now();
    for (const row of written) {
      expect(Number(row.expires_at) - now, row.model).toBeLessThanOrEqual(10 * 60 * 1000);
    }
    expect(await count("signing_keys")).toBe(keys);
    expect(await count("changes")).toBe(changes);
  });
});
