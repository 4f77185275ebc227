// The server process: read config, build the app, listen, create the demo, stop cleanly.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildHandoff } from "./app.js";
import type { Config } from "./config.js";
import { writeRunning } from "./config-running.js";
import { DEMO_FILE, describeDemo, ensureDemo, writeDemoFile } from "./demo/demo.js";
import { nodeBeforeLts22 } from "./oidc/runtime-warning.js";

const SHUTDOWN_GRACE_MS = 10_000;

/** Start-up failed for a reason the operator fixes (the port is taken): one line, no stack. */
export class StartError extends Error {
  override name = "StartError";
}

/** What to do about each way `listen` fails that the operator can fix. */
const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another process holds the port; set PORT or HOST)",
  EACCES: "permission denied (ports below 1024 need privileges; set PORT)",
  EADDRNOTAVAIL: "no such address on this machine (set HOST)",
};

function listenFailure(error: unknown, config: Config): Error {
  const reason = LISTEN_FAILURES[(error as NodeJS.ErrnoException).code ?? ""];
  if (reason) {
    return new StartError(`cannot listen on ${config.host}:${config.port}: ${reason}`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Starts Handoff and resolves once it listens; SIGTERM and SIGINT close it gracefully. */
export async function startServer(config: Config): Promise<FastifyInstance> {
  const { app, domains, drain } = await buildHandoff(config);
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
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw listenFailure(error, config);
  }
  // Where this server is, for the `handoff` command run in another shell (src/config-running.ts).
  writeRunning(config);
  // After listening, so a taken port never leaves a demo whose credentials were not written.
  const demo = await ensureDemo(domains);
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
    // Draining: /readyz answers 503 at once, so the balancer stops sending; requests keep being
    // served for HANDOFF_DRAIN_SECONDS; then the server stops accepting, finishes what is in
    // flight, stops the background workers (each finishes its batch) and closes the database.
    drain();
    app.log.info({ signal, drain_seconds: config.drainSeconds }, "draining, then shutting down");
    const force = setTimeout(() => process.exit(1), config.drainSeconds * 1000 + SHUTDOWN_GRACE_MS);
    force.unref();
    new Promise((resolve) => setTimeout(resolve, config.drainSeconds * 1000))
      .then(() => app.close())
      .then(
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
