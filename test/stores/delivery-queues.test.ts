// Contract suite for the three queues of deliveries owed to other servers (webhooks, OIDC
// Back-Channel Logout, SAML SOAP logout), run on every dialect: a due delivery goes to one worker
// at a time, is retaken once its claim runs out, and a try is recorded only under its own claim.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database, Tx } from "../../src/db/database.js";
import {
  type AttemptTable,
  type Claimed,
  type DeliveryQueue,
  newDelivery,
  outcomeOf,
} from "../../src/delivery/attempts.js";
import { LOGOUT_RULES } from "../../src/oidc/backchannel.js";
import { LogoutDeliveryStore } from "../../src/oidc/store.js";
import { SoapLogoutStore } from "../../src/saml/logout-store.js";
import { WebhookStore } from "../../src/webhooks/store.js";
import { dialects } from "../helpers/app.js";
import { NOW, storeDatabase } from "./fixtures.js";

/** What the suite uses of a store: the queue's own methods. */
interface Queue extends Pick<DeliveryQueue<AttemptTable>, "finish" | "backlog"> {
  claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<Claimed[]>;
}

/** Each queue: its store, its table, and a delivery written as its domain writes one. */
const queues: {
  name: string;
  table: AttemptTable;
  store: (database: Database) => Queue;
  add: (trx: Tx, id: string) => Promise<unknown>;
}[] = [
  {
    name: "webhook deliveries",
    table: "webhook_deliveries",
    store: (database) => new WebhookStore(database, database.dialect),
    add: async (trx, id) => {
      await trx
        .insertInto("webhook_endpoints")
        .values({
          id: "whe1",
          partner_id: "pa",
          url: "https://hooks.example/in",
          events: ",user.created,",
          secret_sealed: "sealed",
          created_at: NOW,
        })
        .execute();
      await trx
        .insertInto("webhook_events")
        .values({
          id: "evt1",
          type: "user.created",
          partner_id: "pa",
          payload: "{}",
          created_at: NOW,
        })
        .execute();
      await trx
        .insertInto("webhook_deliveries")
        .values({
          id,
          event_id: "evt1",
          endpoint_id: "whe1",
          partner_id: "pa",
          ...newDelivery(NOW),
        })
        .execute();
    },
  },
  {
    name: "back-channel logouts",
    table: "oidc_logout_deliveries",
    store: (database) => new LogoutDeliveryStore(database, database.dialect),
    add: (trx, id) =>
      trx
        .insertInto("oidc_logout_deliveries")
        .values({
          id,
          session_id: "s1",
          client_id: "app1",
          sub: "u1",
          sid: "",
          ...newDelivery(NOW),
        })
        .execute(),
  },
  {
    name: "SOAP logouts",
    table: "saml_logout_deliveries",
    store: (database) => new SoapLogoutStore(database, database.dialect),
    add: (trx, id) =>
      trx
        .insertInto("saml_logout_deliveries")
        .values({
          id,
          session_id: "s1",
          app_id: "app1",
          name_id: "u1",
          name_id_format: "persistent",
          session_index: "_si",
          ...newDelivery(NOW),
        })
        .execute(),
  },
];

describe.each(dialects)("delivery queues on %s", (dialect) => {
  let database: Database;
  beforeEach(async () => {
    database = await storeDatabase(dialect);
  });
  afterEach(async () => {
    await database.close();
  });

  it.each(queues)(
    "$name: one worker at a time, and a slow worker's late result changes nothing",
    async (queue) => {
      const store = queue.store(database);
      await database.write((trx) => queue.add(trx, "d1"));
      const claim = (now: number) => database.write((trx) => store.claim(trx, now, 10, 1000));
      const row = () =>
        database.read
          .selectFrom(queue.table)
          .select(["state", "attempts", "claimed_until", "next_attempt_at", "last_status"])
          .where("id", "=", "d1")
          .executeTakeFirstOrThrow();

      const slow = await claim(NOW);
      expect(slow.map((d) => [d.id, d.attempts, d.claimedUntil])).toEqual([["d1", 0, NOW + 1000]]);
      expect(await claim(NOW + 500)).toEqual([]); // still claimed
      // The slow worker's claim ran out: another worker takes the delivery.
      const retaken = await claim(NOW + 2000);
      expect(retaken.map((d) => d.claimedUntil)).toEqual([NOW + 3000]);

      const delivered = outcomeOf(LOGOUT_RULES, 0, { status: 200, error: null }, NOW + 2500);
      await database.write((trx) => store.finish(trx, "d1", NOW + 1000, delivered));
      expect(await row()).toMatchObject({
        state: "pending",
        attempts: 0,
        claimed_until: NOW + 3000,
      });

      const failed = outcomeOf(LOGOUT_RULES, 0, { status: 500, error: "answered 500" }, NOW + 2600);
      await database.write((trx) => store.finish(trx, "d1", NOW + 3000, failed));
      expect(await row()).toEqual({
        state: "pending",
        attempts: 1,
        claimed_until: null,
        next_attempt_at: NOW + 2600 + LOGOUT_RULES.firstRetryMs,
        last_status: 500,
      });
      expect(await store.backlog()).toEqual({ count: 1, oldestAt: NOW });
      expect(await claim(NOW + 2600)).toEqual([]); // not due before the backoff
    },
  );
});
