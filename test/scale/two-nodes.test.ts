// Issue 25: two apps on one database stand for two nodes (each with its own memory, caches,
// limiters and workers). Limits are shared: the allowance from one address, or for one partner,
// is the same across them as on one node; and each webhook event is delivered by one of them.

import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp, dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";
import { mintRequest, ssoFixture } from "../helpers/sso.js";

/** The dialects where nodes share limits (SQLite is one node); none in the SQLite-only passes. */
const shared = dialects.filter((dialect) => dialect !== "sqlite");

let receiver: PartnerEndpoint;
beforeAll(async () => {
  receiver = await startPartnerEndpoint();
});
afterAll(async () => receiver.close());

describe.skipIf(shared.length === 0).each(shared.length > 0 ? shared : ["pglite" as const])(
  "two nodes on one %s database",
  (dialect) => {
    let t: TestApp;
    let other: FastifyInstance;
    afterEach(async () => {
      await other?.close();
      await t.app.close();
    });

    async function twoNodes(overrides: Parameters<typeof testApp>[1]) {
      t = await testApp(dialect, overrides);
      other = await buildApp(t.config, { clock: t.clock, database: t.database });
      await other.ready();
      return [t.app, other] as const;
    }

    it("answers 429 to the fifth failure from one address, whichever node each went to", async () => {
      const nodes = await twoNodes({ authFailuresPerMinute: 4 });
      const call = (node: FastifyInstance, bearer: string) =>
        node.inject({
          url: "/v1/partner",
          headers: { authorization: `Bearer ${bearer}` },
          remoteAddress: "203.0.113.77",
        });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await call(nodes[i % 2] as FastifyInstance, `made.up.${i}`)).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    });

    it("counts a guessed login of any length (a digest is the shared key)", async () => {
      await twoNodes({ authFailuresPerMinute: 2 });
      const guess = (login: string) =>
        t.app.inject({
          method: "POST",
          url: "/console/sign-in",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "sec-fetch-site": "same-origin",
          },
          payload: new URLSearchParams({ login, password: "wrong password!" }).toString(),
        });
      const long = "x".repeat(20_000);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await guess(long)).statusCode);
      expect(statuses.every((status) => status < 500)).toBe(true);
      expect(statuses[2]).toBe(429);
      const rows = await t.database.read.selectFrom("rate_windows").select("key").execute();
      expect(rows.every((row) => row.key.length < 100)).toBe(true);
    });

    it("lets a partner mint HANDOFF_MINTS_PER_MINUTE links across both nodes, not per node", async () => {
      const nodes = await twoNodes({ mintsPerMinute: 3 });
      const f = await ssoFixture(t.app);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const node = nodes[i % 2] as FastifyInstance;
        const body = { user: { id: `u-${i}` }, app: f.appId };
        statuses.push((await mintRequest(node, f.token, body)).statusCode);
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
    });

    it("delivers each of 50 webhook events once with both nodes' workers racing", async () => {
      const nodes = await twoNodes({ outboundAllow: ["127.0.0.1/32"] });
      t.clock.set(Date.now()); // receivers check the signature's timestamp with their own clock
      receiver.calls.length = 0;
      const f = await ssoFixture(t.app);
      const { secret } = await domainsOf(t.app).webhooks.createEndpoint(f.partnerId, {
        url: `${receiver.url}/hooks`,
        events: ["api_token.created"],
      });
      receiver.secret = secret;
      for (let i = 0; i < 50; i++) {
        await domainsOf(t.app).partners.createApiToken(f.partnerId, { name: `token ${i}` });
      }
      const [a, b] = nodes.map((node) => domainsOf(node).webhooks);
      // Both nodes' own workers run too: every worker races for the same deliveries.
      const delivered = async () => {
        await Promise.all([a?.deliver(t.app.log), b?.deliver(other.log)]);
        const rows = await t.database.read
          .selectFrom("webhook_deliveries")
          .select("state")
          .where("state", "=", "delivered")
          .execute();
        return rows.length;
      };
      await expect.poll(delivered, { timeout: 20_000, interval: 50 }).toBe(50);
      const ids = receiver.calls.map((call) => call.headers["webhook-id"]);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
      expect(receiver.calls.every((call) => call.verified)).toBe(true);
    });
  },
);
