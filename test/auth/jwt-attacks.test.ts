// SECURITY.md rows 7–14: forged, confused and malformed access tokens are refused.
import { base64url, exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessTokenFor,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";

// The checks run before any storage access, so one dialect suffices.
describe("access-token attacks", () => {
  let t: TestApp;
  let partner: PartnerFixture;
  let good: string;
  let claims: Record<string, unknown>;
  let header: Record<string, unknown>;

  beforeAll(async () => {
    // Every attack here is a failed credential attempt: the spraying limit is not what is tested.
    t = await testApp("sqlite", { authFailuresPerMinute: 10_000 });
    partner = await makePartner(t.app);
    good = await accessTokenFor(t.app, partner);
    const [h, p] = good.split(".");
    header = JSON.parse(Buffer.from(h as string, "base64url").toString());
    claims = JSON.parse(Buffer.from(p as string, "base64url").toString());
  });
  afterAll(async () => {
    await t.app.close();
  });

  const call = (token: string) =>
    t.app.inject({
      method: "GET",
      url: "/v1/partner",
      headers: { authorization: `Bearer ${token}` },
    });
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  const unsigned = (h: Record<string, unknown>, c: Record<string, unknown>) =>
    `${encode(h)}.${encode(c)}.`;

  async function expectRefused(token: string) {
    const response = await call(token);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe("invalid_token");
    expect(response.body).not.toMatch(/stack|at .*\.js|SQLITE|ENOENT/);
  }

  it("accepts the genuine token (the control)", async () => {
    expect((await call(good)).statusCode).toBe(200);
  });

  it.each(["none", "None", "NONE", "nOnE"])("refuses alg %s", async (alg) => {
    await expectRefused(unsigned({ ...header, alg }, claims));
  });

  it("refuses HS256 signed with our public key as the HMAC secret", async () => {
    const jwk = domainsOf(t.app).keys.jwks().keys[0] as { x: string };
    for (const secret of [
      JSON.stringify(jwk),
      jwk.x,
      Buffer.from(jwk.x, "base64url").toString("latin1"),
    ]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: header.kid as string, typ: "at+jwt" })
        .sign(new TextEncoder().encode(secret));
      await expectRefused(forged);
    }
  });

  it("ignores jwk, jku, x5u and x5c headers: an attacker's own key never verifies", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const attackerJwk = await exportJWK(publicKey);
    const headers = [
      { jwk: attackerJwk },
      { jku: "http://127.0.0.1:1/jwks.json" },
      { x5u: "http://127.0.0.1:1/cert.pem" },
      { x5c: ["MIIB"] },
      { kid: "attacker", jwk: attackerJwk },
    ];
    for (const extra of headers) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: header.kid as string, ...extra })
        .sign(privateKey);
      await expectRefused(forged);
    }
  });

  it("refuses odd kids without a database or file error", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    for (const kid of ["../../dev/null", "' or 1=1 --", "x".repeat(10_000), "unknown-kid", ""]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid })
        .sign(privateKey);
      await expectRefused(forged);
    }
  });

  it("refuses a token whose signature was altered or whose claims were changed", async () => {
    const [h, , s] = good.split(".");
    await expectRefused(`${h}.${encode({ ...claims, partner_id: "ptn_someoneelse" })}.${s}`);
    await expectRefused(`${good.slice(0, -4)}AAAA`);
  });

  describe("claims", () => {
    /** Signed with Handoff's own key, so only the claim and header checks can refuse it. */
    async function signed(
      overrides: Record<string, unknown>,
      headerOverrides: Record<string, unknown> = {},
    ) {
      const now = Math.floor(t.clock.now() / 1000);
      const payload: Record<string, unknown> = {
        ...claims,
        iat: now,
        exp: now + 600,
        ...overrides,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload)
        .setProtectedHeader({ ...header, ...headerOverrides } as { alg: string })
        .sign(await signingKey());
    }

    it("accepts a well-formed token signed by our key (the control)", async () => {
      expect((await call(await signed({}))).statusCode).toBe(200);
    });

    it("refuses expired, missing exp, future nbf and future iat", async () => {
      const now = Math.floor(t.clock.now() / 1000);
      await expectRefused(await signed({ exp: now - 6 }));
      expect((await call(await signed({ exp: now - 4 }))).statusCode).toBe(200); // inside the 5 s leeway
      await expectRefused(await signed({ exp: undefined }));
      await expectRefused(await signed({ nbf: now + 60 }));
      await expectRefused(await signed({ iat: now + 60 }));
    });

    it("refuses a wrong audience, issuer or typ (no token kind passes as another)", async () => {
      await expectRefused(await signed({ aud: "handoff:id-token" }));
      await expectRefused(await signed({ iss: "https://evil.example" }));
      await expectRefused(await signed({}, { typ: "JWT" }));
      await expectRefused(await signed({}, { typ: "id+jwt" }));
    });
  });

  it("refuses JWE and oversized tokens before any expensive work", async () => {
    await expectRefused("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d");
    await expectRefused(`${good}${"A".repeat(5000)}`);
  });

  it("keys revocation on the token's id, so a re-encoded token stays revoked", async () => {
    const other = await makePartner(t.app, "Re-encoded");
    const token = await accessTokenFor(t.app, other);
    await domainsOf(t.app).partners.revokeApiToken(other.partnerId, other.apiTokenId);
    // Same claims and signature, header re-encoded with a different key order.
    const [h, p, s] = token.split(".");
    const reordered = JSON.parse(Buffer.from(h as string, "base64url").toString());
    const shuffled = encode({ typ: reordered.typ, kid: reordered.kid, alg: reordered.alg });
    await expectRefused(`${shuffled}.${p}.${s}`);
    await expectRefused(token);
  });

  /** The private key Handoff signs with, opened through the sealer (a database dump alone cannot). */
  async function signingKey() {
    const row = await t.database.read
      .selectFrom("signing_keys")
      .selectAll()
      .where("kid", "=", header.kid as string)
      .executeTakeFirstOrThrow();
    const jwk = JSON.parse(
      domainsOf(t.app).sealer.open(row.private_jwk_sealed, `signing_key:${row.kid}`),
    );
    return importJWK(jwk, "EdDSA");
  }
});
