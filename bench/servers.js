// What the benches share about servers: free ports, server processes pinned to one CPU, fresh
// PostgreSQL databases, and the load that redeems login links (GET the page, then POST).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import pg from "pg";

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Node.js server process, pinned (every thread it will start too) to `cpu` when one is
 * given (`taskset`), and waits until it prints `marker`.
 */
export function startServer(args, env, marker, cpu) {
  const [command, argv] = cpu
    ? ["taskset", ["-c", cpu, process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start`)), 60_000);
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      if (seen.includes(marker)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

/** SIGTERM, and waits for the exit. */
export function stopServer(child) {
  child.removeAllListeners("exit");
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** A new, empty database on the PostgreSQL at `url`: its URL, and `drop` to remove it. */
export async function freshDatabase(url, prefix) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await admin.query(`create database ${name}`);
  const made = new URL(url);
  made.pathname = `/${name}`;
  return {
    url: made.href,
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

/** autocannon's requests for one redemption: the link's page, then its form's POST. */
export function redeemRequests(nextTicket) {
  return [
    {
      method: "GET",
      setupRequest(request, context) {
        context.ticket = nextTicket();
        request.path = `/login/${context.ticket}`;
        return request;
      },
    },
    {
      method: "POST",
      headers: { "sec-fetch-site": "same-origin" },
      setupRequest(request, context) {
        request.path = `/login/${context.ticket}`;
        return request;
      },
    },
  ];
}
