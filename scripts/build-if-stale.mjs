#!/usr/bin/env node
// Builds dist/ with tsc only when something it is built from changed since the last build, so
// `npm run handoff -- …` and `npm start` start in about a second instead of compiling every time.
// Run from the project's directory (npm runs scripts there).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const STAMP = join("dist", ".build-stamp");
/** What dist/ is built from. Directories count too: deleting a file changes its directory. */
const INPUTS = ["src", "tsconfig.json", "tsconfig.build.json", "package.json"];

function newest(path) {
  const stat = statSync(path);
  let latest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const builtAt = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const changed = INPUTS.filter((input) => existsSync(input) && newest(input) > builtAt);
if (process.argv.includes("--force") || changed.length > 0) {
  // The stamp takes the time the build started: a file saved during the build is newer.
  const started = new Date();
  const tsc = createRequire(join(process.cwd(), "package.json")).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
  } catch (error) {
    // tsc has printed what is wrong; no stamp, so the next run builds again.
    process.exit(typeof error.status === "number" ? error.status : 1);
  }
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  utimesSync(STAMP, started, started);
}
