// Contract suite for the ticket and session stores, run on every dialect (SQLite, PGlite, and
// PostgreSQL in CI): single use under a race, revocation, failures, ending, pruning.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SessionStore } from "../../src/sessions/store.js";
import { TicketStore } from "../../src/tickets/store.js";
import { dialects } from "../helpers/app.js";
import { type Database, NOW, race, storeDatabase, ticket } from "./fixtures.js";

describe.each(dialects)("ticket and session stores on %s", (dialect) => {
  let database: Database;
  let tickets: TicketStore;
  let sessions: SessionStore;
  beforeEach(async () => {
    database = await storeDatabase(dialect);
    tickets = new TicketStore(database);
    sessions = new SessionStore(database);
  });
  afterEach(async () => {
    await database.close();
  });

  const session = (id: string, ticketId: string, expiresAt = NOW + 3_600_000) => ({
    id,
    secret_hash: `hash-${id}`,
    user_id: "u1",
    partner_id: "pa",
    account_id: "pa",
    app_id: "app1",
    ticket_id: ticketId,
    created_at: NOW,
    expires_at: expiresAt,
    otp_mode: null,
    otp_verified_at: null,
  });

  it("lets exactly one of 20 concurrent uses of a ticket win", async () => {
    await database.write((trx) => tickets.insert(trx, ticket("t1")));
    const wins = await race(20, () =>
      database
        .write((trx) => tickets.use(trx, "t1", { now: NOW, sessionId: "s", notBefore: NOW }))
        .catch(() => false),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await tickets.core("t1")).toMatchObject({ status: "redeemed" });
  });

  it("never uses an expired, revoked or rejected ticket", async () => {
    await database.write(async (trx) => {
      await tickets.insert(trx, ticket("old", { expires_at: NOW - 1 }));
      await tickets.insert(trx, ticket("rev"));
      await tickets.insert(trx, ticket("rej"));
    });
    expect(await database.write((trx) => tickets.revoke(trx, "rev", NOW))).toBe(true);
    expect(await database.write((trx) => tickets.revoke(trx, "rev", NOW))).toBe(false);
    await database.write((trx) =>
      tickets.recordFailure(trx, "rej", { reason: "ip_mismatch", now: NOW, reject: true }),
    );
    for (const id of ["old", "rev", "rej"]) {
      const use = { now: NOW, sessionId: "s", notBefore: NOW };
      expect(await database.write((trx) => tickets.use(trx, id, use)), id).toBe(false);
    }
    expect(await tickets.find("rej")).toMatchObject({
      status: "rejected",
      reason: "ip_mismatch",
      last_failure: "ip_mismatch",
    });
    // A finished ticket keeps its status, reason and time; only the failure is recorded.
    await database.write((trx) =>
      tickets.recordFailure(trx, "rev", { reason: "ip_mismatch", now: NOW + 9, reject: true }),
    );
    expect(await tickets.find("rev")).toMatchObject({
      status: "revoked",
      reason: "revoked",
      finished_at: NOW,
      last_failure: "ip_mismatch",
      last_failure_at: NOW + 9,
    });
  });

  it("records a failure without rejecting, and finds a ticket only for its minting partner", async () => {
    await database.write((trx) => tickets.insert(trx, ticket("t2")));
    await database.write((trx) =>
      tickets.recordFailure(trx, "t2", { reason: "expired", now: NOW + 5, reject: false }),
    );
    expect(await tickets.findOwn("pa", "t2")).toMatchObject({
      status: "issued",
      last_failure: "expired",
      last_failure_at: NOW + 5,
    });
    expect(await tickets.findOwn("pb", "t2")).toBeUndefined();
  });

  it("revokes every issued ticket of a user and counts them", async () => {
    await database.write(async (trx) => {
      await tickets.insert(trx, ticket("a"));
      await tickets.insert(trx, ticket("b"));
      await tickets.insert(trx, ticket("c", { user_id: "u2" }));
    });
    expect(await database.write((trx) => tickets.revokeForUser(trx, "u1", NOW))).toBe(2);
    expect(await tickets.find("c")).toMatchObject({ status: "issued" });
  });

  it("reads a session with its user and ticket, moves its idle clock, ends it once", async () => {
    await database.write(async (trx) => {
      await tickets.insert(trx, ticket("t3", { fields: '{"x":1}' }));
      await sessions.insert(trx, session("s1", "t3"));
    });
    expect(await sessions.facts("s1")).toMatchObject({
      user_id: "u1",
      external_id: "ext-u1",
      fields: '{"x":1}',
      last_seen_at: NOW,
      ended_at: null,
    });
    await database.write((trx) => sessions.touch(trx, "s1", NOW + 10));
    expect((await sessions.facts("s1"))?.last_seen_at).toBe(NOW + 10);
    const ends = await race(5, () =>
      database.write((trx) => sessions.end(trx, "s1", NOW + 20, "logout")),
    );
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect(await sessions.facts("s1")).toMatchObject({ ended_at: NOW + 20 });
    expect(await database.write((trx) => sessions.findForEnd(trx, "s1"))).toMatchObject({
      ended_at: NOW + 20,
      partner_id: "pa",
    });
  });

  it("ends every live session of a user", async () => {
    await database.write(async (trx) => {
      await tickets.insert(trx, ticket("t4"));
      await sessions.insert(trx, session("s2", "t4"));
      await sessions.insert(trx, session("s3", "t4"));
      // Past its absolute limit: already over, so not counted as ended now.
      await sessions.insert(trx, session("s4", "t4", NOW - 1));
    });
    const ended = await database.write((trx) => sessions.endForUser(trx, "u1", NOW));
    expect(ended.sort()).toEqual(["s2", "s3"]);
    expect(await sessions.facts("s4")).toMatchObject({ ended_at: null });
    expect(await database.write((trx) => sessions.endForUser(trx, "u1", NOW))).toEqual([]);
  });

  it("prunes expired or ended sessions, then tickets no session reads, in batches", async () => {
    const before = NOW;
    const redeemed = async (ticketId: string, sessionId: string, expiresAt?: number) =>
      database.write(async (trx) => {
        await tickets.insert(trx, ticket(ticketId, { expires_at: before - 10 }));
        await tickets.use(trx, ticketId, { now: before - 20, sessionId, notBefore: before - 20 });
        await sessions.insert(trx, session(sessionId, ticketId, expiresAt));
      });
    await redeemed("t-expired", "expired", before - 5);
    await redeemed("t-ended", "ended");
    await redeemed("t-current", "current");
    await database.write(async (trx) => {
      await sessions.end(trx, "ended", before - 5, "logout");
      await tickets.insert(trx, ticket("unused", { expires_at: before - 10 }));
      await tickets.insert(trx, ticket("live", { expires_at: before + 10 }));
    });
    // A ticket stays while the session made from it exists (the session reads its settings).
    expect(await database.write((trx) => tickets.prune(trx, before, 10))).toBe(1);
    expect(await database.write((trx) => sessions.prune(trx, before, 1))).toBe(1);
    expect(await database.write((trx) => sessions.prune(trx, before, 10))).toBe(1);
    expect(await database.write((trx) => tickets.prune(trx, before, 10))).toBe(2);
    expect(await tickets.find("t-current")).toBeDefined();
    expect(await tickets.find("live")).toBeDefined();
    expect(await sessions.facts("current")).toBeDefined();
    expect(await tickets.find("t-ended")).toBeUndefined();
  });
});
