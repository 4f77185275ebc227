// The SQLite driver this Node.js loads (src/db/sqlite-driver.ts), and that it survives what
// aborted Node 24 with better-sqlite3 12: statements freed by the garbage collector on the main
// thread, in a worker thread that ends, and at process exit.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSqlite, sqliteDriverFor, sqliteDriverPath } from "../../src/db/sqlite-driver.js";

/**
 * Plain CommonJS for a child process (argv[1]: the driver's path, argv[2]: a database file).
 * Statements are made and dropped from the event loop, so the garbage collector frees them
 * from its own tasks, where no JavaScript context is entered: that is where better-sqlite3 12,
 * built for Node 24.19+, aborts. A worker thread then does the same and ends.
 */
const CHURN = `
const { Worker } = require("node:worker_threads");
const [driver, file] = process.argv.slice(1);
const churn = (Database, rounds, done) => {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  let round = 0;
  const tick = () => {
    for (let i = 0; i < 500; i++) db.prepare("select " + i + " as n, ? as x").get(String(round));
    const garbage = [];
    for (let i = 0; i < 2000; i++) garbage.push({ i, text: "x".repeat(50) });
    if (++round < rounds) setImmediate(tick);
    else done(db);
  };
  tick();
};
churn(require(driver), 200, (db) => {
  const worker = new Worker(
    "const { workerData } = require('node:worker_threads');" +
      "const db = new (require(workerData.driver))(workerData.file);" +
      "for (let i = 0; i < 5000; i++) db.prepare('select ' + i).get();",
    { eval: true, workerData: { driver, file } },
  );
  worker.on("exit", (code) => {
    setTimeout(() => {
      db.prepare("select 1").get();
      console.log("worker exit " + code);
    }, 1000);
  });
});
`;

describe("SQLite driver", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "handoff-driver-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads better-sqlite3 13 where Node-API 10 is there, and 12 (the Node 20 alias) before", () => {
    expect(sqliteDriverFor("9")).toBe("better-sqlite3-node20");
    expect(sqliteDriverFor(undefined)).toBe("better-sqlite3-node20");
    expect(sqliteDriverFor("10")).toBe("better-sqlite3");
    expect(sqliteDriverFor("11")).toBe("better-sqlite3");
    const expected = Number(process.versions.napi) >= 10 ? /^13\./ : /^12\./;
    expect(driverVersion(sqliteDriverPath())).toMatch(expected);
    const db = new (loadSqlite())(join(dir, "v.db"));
    expect(db.prepare("select sqlite_version() as v").get()).toEqual({
      v: expect.stringMatching(/^3\./),
    });
    db.close();
  });

  it("frees statements on the main thread, in an ending worker and at exit without aborting", () => {
    const child = spawnSync(
      process.execPath,
      ["-e", CHURN, sqliteDriverPath(), join(dir, "churn.db")],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.stderr).not.toContain("Assertion failed");
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null });
    expect(child.stdout.trim()).toBe("worker exit 0");
  });
});

/** The version in the package.json next to the driver's entry point. */
function driverVersion(entry: string): string {
  const root = entry.slice(0, entry.lastIndexOf("/lib/"));
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
    .version;
}
