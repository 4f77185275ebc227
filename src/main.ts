// The server process: read config, build the app, create the demo, listen, stop cleanly.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { DEMO_FILE, describeDemo, ensureDemo, writeDemoFile } from "./demo/demo.js";
import { nodeBeforeLts22 } from "./oidc/runtime-warning.js";

const SHUTDOWN_GRACE_MS = 10_000;

/** Starts Handoff and resolves once it listens; SIGTERM and SIGINT close it gracefully. */
export async function startServer(config: Config): Promise<FastifyInstance> {
  const app = await buildApp(config);
  if (config.secretKeySource === "file") {
    app.log.warn(
      "HANDOFF_SECRET_KEY is not set: using a development key kept in the data directory. Set it in production (openssl rand -base64 32).",
    );
  }
  if (nodeBeforeLts22) {
    // oidc-provider's own warning is dropped as noise in CLI commands and tests; here it helps.
    app.log.warn(
      `Node.js ${process.versions.node} is past its end of life and older than oidc-provider supports (22+); Handoff is tested on it, but run Node 22 or 24 in production.`,
    );
  }
  const demo = await ensureDemo(app.services);
  await app.listen({ port: config.port, host: config.host });
  if (demo) {
    const file = writeDemoFile(config.dataDir, demo);
    process.stdout.write(describeDemo(demo, file));
  } else if (existsSync(join(config.dataDir, DEMO_FILE))) {
    process.stdout.write(`\nHandoff demo credentials: ${join(config.dataDir, DEMO_FILE)}\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return app;
}
