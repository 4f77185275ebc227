// oidc-provider prints "Unsupported runtime" when it is first imported on Node.js 20: on every CLI
// command and in every test file, where it helps nobody. Handoff supports and tests Node 20
// (docs/oidc.md), so that one line is dropped; `handoff start` logs its own warning once instead
// (src/main.ts). Imported before oidc-provider by every module that imports it.

/** The line oidc-provider writes with console.warn (lib/index.js), on runtimes before Node 22. */
const UNSUPPORTED_RUNTIME = "oidc-provider WARNING: Unsupported runtime.";

/** Node.js before 22 (what oidc-provider calls unsupported): `handoff start` says so itself. */
export const nodeBeforeLts22 = Number(process.versions.node.split(".")[0]) < 22;

if (nodeBeforeLts22) {
  const warn = console.warn;
  // Drops that one message, then steps aside: every other warning is printed as before.
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].includes(UNSUPPORTED_RUNTIME)) {
      console.warn = warn;
      return;
    }
    warn.apply(console, args);
  };
}
