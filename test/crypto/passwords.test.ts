// Security row 42d: a burst of password checks never holds the whole libuv thread pool, which
// also signs access tokens.
import { pbkdf2 } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_CONCURRENT_HASHES, Passwords } from "../../src/crypto/passwords.js";

/** One small job on libuv's thread pool, as a signature is. */
const poolJob = () =>
  new Promise<void>((resolve, reject) =>
    pbkdf2("probe", "salt", 1, 32, "sha256", (error) => (error ? reject(error) : resolve())),
  );

describe("password hashing on the shared thread pool", () => {
  const passwords = new Passwords();
  it("runs at most MAX_CONCURRENT_HASHES at once, and other pool work goes ahead of the queue", async () => {
    const stored = await passwords.hash("correct horse battery staple");
    let answered = 0;
    const checks = Array.from({ length: 8 }, (_, i) =>
      passwords
        .verify(stored, i % 2 === 0 ? "correct horse battery staple" : "wrong")
        .then((ok) => {
          answered += 1;
          return ok;
        }),
    );
    expect(passwords.load()).toEqual({
      running: MAX_CONCURRENT_HASHES,
      waiting: 8 - MAX_CONCURRENT_HASHES,
    });
    // With every pool thread busy hashing, this job would wait for a hash to finish first.
    await poolJob();
    const answeredBeforeProbe = answered;
    const results = await Promise.all(checks);
    expect(answeredBeforeProbe).toBe(0);
    expect(results).toEqual([true, false, true, false, true, false, true, false]);
    expect(passwords.load()).toEqual({ running: 0, waiting: 0 });
  });

  it("frees its slot when a check fails, so the queue keeps moving", async () => {
    // @node-rs/argon2 rejects a malformed stored hash ("Decoding failed"); the check answers false.
    const results = await Promise.all(
      Array.from({ length: 5 }, () => passwords.verify("not an argon2 hash", "anything")),
    );
    expect(results).toEqual([false, false, false, false, false]);
    expect(passwords.load()).toEqual({ running: 0, waiting: 0 });
  });
});
