// Security row 42d: a burst of password checks never holds the whole libuv thread pool, which
// also flushes the SQLite WAL and signs access tokens.
import { pbkdf2 } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hashLoad,
  hashPassword,
  MAX_CONCURRENT_HASHES,
  verifyPassword,
} from "../../src/crypto/passwords.js";

/** One small job on libuv's thread pool, as a WAL flush or a signature is. */
const poolJob = () =>
  new Promise<void>((resolve, reject) =>
    pbkdf2("probe", "salt", 1, 32, "sha256", (error) => (error ? reject(error) : resolve())),
  );

describe("password hashing on the shared thread pool", () => {
  it("runs at most MAX_CONCURRENT_HASHES at once, and other pool work goes ahead of the queue", async () => {
    const stored = await hashPassword("correct horse battery staple");
    let answered = 0;
    const checks = Array.from({ length: 8 }, (_, i) =>
      verifyPassword(stored, i % 2 === 0 ? "correct horse battery staple" : "wrong").then((ok) => {
        answered += 1;
        return ok;
      }),
    );
    expect(hashLoad()).toEqual({
      running: MAX_CONCURRENT_HASHES,
      waiting: 8 - MAX_CONCURRENT_HASHES,
    });
    // With every pool thread busy hashing, this job would wait for a hash to finish first.
    await poolJob();
    const answeredBeforeProbe = answered;
    const results = await Promise.all(checks);
    expect(answeredBeforeProbe).toBe(0);
    expect(results).toEqual([true, false, true, false, true, false, true, false]);
    expect(hashLoad()).toEqual({ running: 0, waiting: 0 });
  });

  it("frees its slot when a check fails, so the queue keeps moving", async () => {
    // @node-rs/argon2 rejects a malformed stored hash ("Decoding failed"); the check answers false.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => verifyPassword("not an argon2 hash", "anything")),
    );
    expect(results).toEqual([false, false, false, false, false]);
    expect(hashLoad()).toEqual({ running: 0, waiting: 0 });
  });
});
