// Contract suite for the user, partner, auth (refresh tokens, credential lookups), app, operator,
// signing key and OIDC stores on every dialect: races resolve to one row or one winner, unique
// keys refuse duplicates the same way everywhere.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppStore } from "../../src/apps/store.js";
import { AuthStore } from "../../src/auth/store.js";
import { isUniqueViolation } from "../../src/db/database.js";
import { SigningKeyStore } from "../../src/keys/store.js";
import { OidcStore } from "../../src/oidc/store.js";
import { OperatorStore } from "../../src/operators/store.js";
import { PartnerStore } from "../../src/partners/store.js";
import { UserStore } from "../../src/users/store.js";
import { dialects } from "../helpers/app.js";
import { type Database, NOW, race, storeDatabase } from "./fixtures.js";

describe.each(dialects)("user and credential stores on %s", (dialect) => {
  let database: Database;
  beforeEach(async () => {
    database = await storeDatabase(dialect);
  });
  afterEach(async () => {
    await database.close();
  });

  it("upserts one user however many mints race, and writes only a changed attribute", async () => {
    const users = new UserStore(database);
    let n = 0;
    const rows = await race(20, () =>
      database.write((trx) =>
        users.upsert(
          trx,
          { id: `usr${n++}`, accountId: "pa", externalId: "racer", now: NOW },
          { email: "r@example.com", email_canonical: "r@example.com" },
        ),
      ),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    const again = await database.write((trx) =>
      users.upsert(
        trx,
        { id: "other", accountId: "pa", externalId: "racer", now: NOW + 5 },
        {
          email: "r@example.com",
          email_canonical: "r@example.com",
        },
      ),
    );
    expect(again).toMatchObject({ id: rows[0]?.id, updated_at: NOW });
    const changed = await database.write((trx) =>
      users.upsert(
        trx,
        { id: "other", accountId: "pa", externalId: "racer", now: NOW + 9 },
        {
          name: "Ray",
        },
      ),
    );
    expect(changed).toMatchObject({ id: rows[0]?.id, name: "Ray", updated_at: NOW + 9 });
  });

  it("creates a new user once under a race, refuses a taken username on rename", async () => {
    const users = new UserStore(database);
    const row = (id: string) => ({
      id,
      partner_id: "pa",
      external_id: "newbie",
      email: null,
      email_canonical: null,
      phone_number: null,
      phone_country_code: null,
      name: null,
      given_name: null,
      family_name: null,
      created_at: NOW,
      updated_at: NOW,
    });
    let n = 0;
    const created = await race(10, () =>
      database.write((trx) => users.insertNew(trx, row(`n${n++}`))),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    const renamed = database.write((trx) => users.update(trx, "u1", { external_id: "ext-u2" }));
    await expect(renamed).rejects.toSatisfy(isUniqueViolation);
    expect((await users.find("u1"))?.external_id).toBe("ext-u1");
    expect(await database.write((trx) => users.remove(trx, "pb", "u1"))).toBe(false);
    expect(await database.write((trx) => users.remove(trx, "pa", "u1"))).toBe(true);
  });

  it("rotates a refresh token once under a race; a revoked or expired one never rotates", async () => {
    const auth = new AuthStore(database);
    const token = (id: string, changes = {}) => ({
      id,
      secret_hash: "h",
      family_id: "fam",
      partner_user_id: "pu1",
      partner_token_id: "pt1",
      account_id: "pa",
      created_at: NOW,
      expires_at: NOW + 60_000,
      used_at: null,
      revoked_at: null,
      ...changes,
    });
    await database.write(async (trx) => {
      await auth.insertRefreshToken(trx, token("r1"));
      await auth.insertRefreshToken(trx, token("r2", { expires_at: NOW - 1 }));
      await auth.insertRefreshToken(trx, token("r3", { revoked_at: NOW - 1 }));
    });
    const wins = await race(20, () =>
      database.write((trx) => auth.useRefreshToken(trx, "r1", NOW)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await database.write((trx) => auth.useRefreshToken(trx, "r2", NOW))).toBe(false);
    expect(await database.write((trx) => auth.useRefreshToken(trx, "r3", NOW))).toBe(false);
    await database.write((trx) => auth.revokeRefreshFamily(trx, "fam", NOW));
    expect((await auth.findRefreshToken("r1"))?.revoked_at).toBe(NOW);
    expect((await auth.findRefreshToken("r1"))?.partner_id).toBe("pa");
  });

  it("finds the exchange's three rows in one lookup, and the bearer check's facts", async () => {
    const auth = new AuthStore(database);
    const partners = new PartnerStore(database);
    await database.write((trx) =>
      partners.insertApiToken(trx, {
        id: "at1",
        partner_id: "pa",
        name: "backend",
        secret_hash: "ah",
        created_at: NOW,
        expires_at: null,
        last_used_at: null,
        revoked_at: null,
      }),
    );
    expect(await auth.exchangeRow("pt1", "at1")).toMatchObject({
      pt_hash: "h",
      partner_id: "pa",
      status: "active",
      api_partner_id: "pa",
      api_hash: "ah",
    });
    expect(await auth.exchangeRow("pt1", "none")).toMatchObject({ api_id: null });
    expect(await auth.apiTokenCredentials("at1", "pt1")).toMatchObject({ partner_id: "pa" });
    expect(await auth.partnerUserCredentials("pu1", "pt1")).toMatchObject({
      partner_id: "pa",
      api_revoked_at: null,
    });
    expect(await database.write((trx) => partners.revokeApiToken(trx, "pb", "at1", NOW))).toBe(
      false,
    );
    expect(await database.write((trx) => partners.revokeApiToken(trx, "pa", "at1", NOW))).toBe(
      true,
    );
    expect((await auth.apiTokenCredentials("at1", "pt1"))?.api_revoked_at).toBe(NOW);
  });

  it("keeps partner users unique per partner and locks after the last wrong password", async () => {
    const partners = new PartnerStore(database);
    const user = (id: string) => ({
      id,
      partner_id: "pa",
      login: "racer@pa.example",
      password_hash: "x",
      failed_attempts: 0,
      locked_until: null,
      created_at: NOW,
      updated_at: NOW,
    });
    let n = 0;
    const made = await race(10, () =>
      database.write((trx) => partners.insertPartnerUser(trx, user(`pu-r${n++}`))),
    );
    expect(made.filter(Boolean)).toHaveLength(1);
    const fails = await race(3, () =>
      database.write((trx) => partners.countFailedPassword(trx, "pu1", 3, NOW, NOW + 900)),
    );
    expect(fails.filter((lock) => lock !== null)).toEqual([NOW + 900]);
    expect(await partners.findPartnerUser("pa", "owner@pa.example")).toMatchObject({
      locked_until: NOW + 900,
      failed_attempts: 0,
    });
    const where = { partnerId: "pa", login: "owner@pa.example" };
    expect(await database.write((trx) => partners.unlockPartnerUser(trx, where, NOW))).toBe("pu1");
  });

  it("links and unlinks sub-accounts; a rotation never extends an earlier end", async () => {
    const partners = new PartnerStore(database);
    await database.write((trx) => partners.link(trx, "pa", "pb", NOW));
    await database.write((trx) => partners.link(trx, "pa", "pb", NOW));
    expect(await partners.children("pa")).toEqual(["pb"]);
    expect(await partners.isLinked("pa", "pb")).toBe(true);
    expect(await database.write((trx) => partners.unlink(trx, "pa", "pb"))).toBe(true);
    expect(await database.write((trx) => partners.unlink(trx, "pa", "pb"))).toBe(false);
    await database.write((trx) => partners.expireLivePartnerTokens(trx, "pa", NOW + 100));
    await database.write((trx) => partners.expireLivePartnerTokens(trx, "pa", NOW + 999));
    expect(
      (await new AuthStore(database).findCredential("partner_tokens", "pt1"))?.expires_at,
    ).toBe(NOW + 100);
  });

  it("stores apps, operators (one per email) and signing keys (one signer per algorithm)", async () => {
    const apps = new AppStore(database);
    const app = await apps.find("app1");
    if (!app) throw new Error("fixture app missing");
    await database.write((trx) => apps.update(trx, { ...app, name: "Renamed" }));
    expect((await apps.list()).map((a) => a.name)).toEqual(["Renamed"]);
    expect(await database.write((trx) => apps.setSecretHash(trx, "nope", "h", NOW))).toBe(false);
    const operators = new OperatorStore(database);
    const operator = (id: string) => ({
      id,
      email: "ops@x.example",
      password_hash: "x",
      created_at: NOW,
    });
    let n = 0;
    const made = await race(5, () =>
      database.write((trx) => operators.insert(trx, operator(`o${n++}`))),
    );
    expect(made.filter(Boolean)).toHaveLength(1);
    expect(await operators.count()).toBe(1);
    const keys = new SigningKeyStore(database);
    const key = (kid: string) => ({
      kid,
      alg: "EdDSA",
      public_jwk: "{}",
      private_jwk_sealed: "x",
      created_at: NOW,
      retire_at: null,
      revoked_at: null,
    });
    await database.write((trx) => keys.replace(trx, key("k1"), NOW + 50));
    await database.write((trx) => keys.replace(trx, key("k2"), NOW + 50));
    expect((await keys.live(NOW)).map((k) => [k.kid, k.retire_at])).toEqual(
      expect.arrayContaining([
        ["k1", NOW + 50],
        ["k2", null],
      ]),
    );
    expect(await database.write((trx) => keys.revoke(trx, "k2", NOW))).toBe(true);
    expect((await keys.live(NOW + 60)).map((k) => k.kid)).toEqual([]);
  });

  it("consumes an OIDC code once under a race, and a reuse takes its grant's tokens with it", async () => {
    const oidc = new OidcStore(database);
    const row = (model: string, id: string, grant: string | null) => ({
      model,
      id,
      payload: "{}",
      grant_id: grant,
      uid: null,
      user_code: null,
      expires_at: NOW + 60_000,
    });
    await database.write(async (trx) => {
      await oidc.upsert(trx, row("AuthorizationCode", "code1", "g1"));
      await oidc.upsert(trx, row("AccessToken", "at1", "g1"));
      await oidc.upsert(trx, row("Grant", "g1", null));
    });
    const wins = await race(20, () =>
      database.write((trx) => oidc.consume(trx, "AuthorizationCode", "code1", NOW)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    await database.write((trx) => oidc.revokeGrantOf(trx, "AuthorizationCode", "code1"));
    expect(await oidc.find("AccessToken", "at1")).toBeUndefined();
    expect(await oidc.find("Grant", "g1")).toBeUndefined();
  });
});
