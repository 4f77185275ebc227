// Sign-in groups over OpenID Connect: a session made by a login link for one app of a group signs
// the person in to another app of the group, which gets its own tokens (docs/saml.md).
import * as client from "openid-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf } from "../helpers/app.js";
import {
  authorize,
  type OidcFixture,
  oidcFixture,
  REDIRECT,
  relyingParty,
  signIn,
} from "../helpers/oidc.js";

describe.each(dialects)("OIDC sign-in groups (%s)", (dialect) => {
  let f: OidcFixture;
  beforeEach(async () => {
    f = await oidcFixture(dialect);
  });
  afterEach(async () => f.t.app.close());

  it("lets a session for one app of a sign-in group sign in to another app of the group, with its own tokens", async () => {
    const other = await domainsOf(f.t.app).apps.create({
      name: "Other",
      baseUrl: "https://other.example",
      redirectUris: [REDIRECT],
      signInGroup: "suite",
    });
    await domainsOf(f.t.app).apps.update(f.fixture.appId, { signInGroup: "suite" });
    const otherRp = await relyingParty(
      f.base,
      other.id,
      await domainsOf(f.t.app).apps.rotateSecret(other.id),
    );
    const jar = await signIn(f);
    const { landed, verifier, state } = await authorize(f, jar, {}, otherRp);
    const tokens = await client.authorizationCodeGrant(otherRp, new URL(landed), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()?.aud).toBe(other.id);
    expect(tokens.claims()?.email).toBe("ada@example.com");
  });
});
