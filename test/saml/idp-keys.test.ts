// The IdP's first SAML key on a fresh install (src/saml/keys.ts): requests that arrive together,
// on one node or on two sharing a database, make one key, and every metadata answer names it. An
// SP that read one node's metadata must trust what any node signs.
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, dialects, type TestApp, testApp } from "../helpers/app.js";

const certificates = (metadata: string) =>
  [...metadata.matchAll(/<(?:ds:)?X509Certificate>([^<]+)</g)].map((m) => m[1]);

describe.each(dialects)("the first SAML key on %s", (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t.app.close();
  });

  it("is made once however many first requests arrive together", async () => {
    t = await testApp(dialect);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => t.app.inject({ method: "GET", url: "/saml/metadata" })),
    );
    const bodies = answers.map((answer) => answer.body);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(certificates(bodies[0] as string)).toHaveLength(1);
    const rows = await t.database.read.selectFrom("saml_keys").select("kid").execute();
    expect(rows).toHaveLength(1);
  });

  // Two processes share a database only on PostgreSQL (and PGlite is one process's).
  it.skipIf(dialect !== "postgres")("is made once by two nodes starting together", async () => {
    t = await testApp(dialect);
    const node2 = await buildApp(t.config, { clock: t.clock, database: t.database });
    await node2.ready();
    try {
      const [one, two] = await Promise.all([
        t.app.inject({ method: "GET", url: "/saml/metadata" }),
        node2.inject({ method: "GET", url: "/saml/metadata" }),
      ]);
      expect(certificates(one.body)).toEqual(certificates(two.body));
      expect(certificates(one.body)).toHaveLength(1);
      const rows = await t.database.read.selectFrom("saml_keys").select("kid").execute();
      expect(rows).toHaveLength(1);
    } finally {
      await node2.close();
    }
  });
});
