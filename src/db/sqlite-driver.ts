// Which better-sqlite3 this Node.js runs. better-sqlite3 13 is built on Node-API 10 and ships
// its binaries in the package; on Node 20, whose Node-API is 9, it crashes on load.
// better-sqlite3 12 is built against each Node's own headers, and on Node 24.19+ a build made
// against those headers aborts the process when the garbage collector frees a statement
// (`Assertion failed: (env) != nullptr`, nodejs/node#65446). So a Node.js with Node-API 10
// (current 22 and 24) loads 13, and one without (Node 20) loads 12, installed under the alias
// `better-sqlite3-node20` (an optional dependency).
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

export type SqliteConstructor = typeof BetterSqlite3;

/** The package to load for a Node-API version (`process.versions.napi`). */
export function sqliteDriverFor(napiVersion: string | undefined): string {
  return Number(napiVersion) >= 10 ? "better-sqlite3" : "better-sqlite3-node20";
}

/** The package this process loads. */
const SQLITE_DRIVER = sqliteDriverFor(process.versions.napi);

const require = createRequire(import.meta.url);

/** The resolved path of the driver's entry point (the checkpoint worker loads it by path). */
export function sqliteDriverPath(): string {
  try {
    return require.resolve(SQLITE_DRIVER);
  } catch {
    throw new Error(
      `SQLite needs the package ${SQLITE_DRIVER} on Node.js ${process.version}, and it is not installed; run npm ci again on this machine (or use a current Node.js 22 or 24)`,
    );
  }
}

/** better-sqlite3's Database constructor, the one this Node.js can run. */
export function loadSqlite(): SqliteConstructor {
  return require(sqliteDriverPath()) as SqliteConstructor;
}
