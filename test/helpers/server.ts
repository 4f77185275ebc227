// `handoff start` as its own process, for tests about what survives or crosses processes.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";

/** Starts the server with `env` and waits until it has printed its demo (a fresh database). */
export function startHandoff(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "start"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no start: ${seen}`)), 45_000);
    const listen = (chunk: Buffer) => {
      seen += chunk;
      if (seen.includes("Handoff demo")) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve(child);
      }
    };
    child.stdout?.on("data", listen);
    child.stderr?.on("data", listen);
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${seen}`)));
  });
}

/** A server on a fresh SQLite file in its own data directory: where it listens, and its env. */
export async function sqliteServer(
  prefix: string,
  extra: Record<string, string> = {},
): Promise<{ dir: string; base: string; env: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  return {
    dir,
    base: `http://127.0.0.1:${port}`,
    env: {
      PORT: String(port),
      HANDOFF_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, "handoff.db")}`,
      HANDOFF_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      LOG_LEVEL: "warn",
      ...extra,
    },
  };
}

/** The demo's credentials (written by the first start) and the demo partner's access token. */
export async function demoPartner(
  base: string,
  dir: string,
): Promise<{ demo: DemoFile; accessToken: string }> {
  const demo = JSON.parse(readFileSync(join(dir, "demo-credentials.json"), "utf8")) as DemoFile;
  return { demo, accessToken: await accessTokenAt(base, demo.partner) };
}

/** An access token for the partner from the server at `base` (the native exchange). */
export async function accessTokenAt(
  base: string,
  partner: { partner_token: string; api_token: string },
): Promise<string> {
  const exchange = await fetch(`${base}/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ partner_token: partner.partner_token, api_token: partner.api_token }),
  });
  if (exchange.status !== 200) throw new Error(`exchange at ${base}: ${exchange.status}`);
  return ((await exchange.json()) as { access_token: string }).access_token;
}

export interface DemoFile {
  operator: { email: string; password: string };
  partner: { partner_token: string; api_token: string };
  app: { id: string };
}
