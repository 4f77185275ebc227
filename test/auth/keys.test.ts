// SECURITY.md row 45: a new key signs, the old one verifies until retired; emergency revocation is immediate.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PUBLISH_LEAD_MS } from "../../src/keys/service.js";
import {
  accessTokenFor,
  dialects,
  domainsOf,
  makePartner,
  type PartnerFixture,
  type TestApp,
  testApp,
} from "../helpers/app.js";

describe.each(dialects)("signing keys on %s", (dialect) => {
  let t: TestApp;
  let partner: PartnerFixture;
  beforeEach(async () => {
    t = await testApp(dialect);
    partner = await makePartner(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const whoami = (token: string) =>
    t.app.inject({
      method: "GET",
      url: "/v1/partner",
      headers: { authorization: `Bearer ${token}` },
    });
  const kidOf = (token: string) =>
    JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()).kid;
  const jwks = async () =>
    (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json();

  it("publishes only public keys", async () => {
    const body = await jwks();
    expect(body.keys).toHaveLength(1);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });

  it("signs with the new key after rotation and verifies old tokens until the old key retires", async () => {
    const before = await accessTokenFor(t.app, partner);
    t.clock.advance(3600_000); // the first key has been in use for an hour
    const newKid = await domainsOf(t.app).keys.rotate();
    // Published at once, signing two minutes later (every node has reloaded by then).
    expect((await jwks()).keys.map((k: { kid: string }) => k.kid)).toContain(newKid);
    expect(kidOf(await accessTokenFor(t.app, partner))).toBe(kidOf(before));
    t.clock.advance(PUBLISH_LEAD_MS);
    const after = await accessTokenFor(t.app, partner);
    expect(kidOf(after)).toBe(newKid);
    expect(kidOf(before)).not.toBe(newKid);
    expect((await jwks()).keys.map((k: { kid: string }) => k.kid).sort()).toEqual(
      [kidOf(before), newKid].sort(),
    );
    expect((await whoami(before)).statusCode).toBe(200);
    // The old key retires 24 h + 5 min after the rotation; by then `before` has expired too,
    // so check the key itself: it leaves the JWKS and stops verifying.
    t.clock.advance((24 * 3600 + 5 * 60) * 1000 - PUBLISH_LEAD_MS + 1);
    await domainsOf(t.app).keys.reload();
    expect((await jwks()).keys.map((k: { kid: string }) => k.kid)).toEqual([newKid]);
  });

  it("makes a key rotated in the first minutes of an install wait its turn too", async () => {
    const before = await accessTokenFor(t.app, partner);
    t.clock.advance(10_000); // neither key has been published for two minutes
    const newKid = await domainsOf(t.app).keys.rotate();
    expect(kidOf(await accessTokenFor(t.app, partner))).toBe(kidOf(before));
    t.clock.advance(PUBLISH_LEAD_MS);
    expect(kidOf(await accessTokenFor(t.app, partner))).toBe(newKid);
  });

  it("revokes a key in an emergency: its tokens stop at once", async () => {
    const before = await accessTokenFor(t.app, partner);
    expect((await whoami(before)).statusCode).toBe(200);
    await domainsOf(t.app).keys.revoke(kidOf(before));
    expect((await whoami(before)).statusCode).toBe(401);
    const fresh = await accessTokenFor(t.app, partner);
    expect(kidOf(fresh)).not.toBe(kidOf(before));
    expect((await whoami(fresh)).statusCode).toBe(200);
  });
});
