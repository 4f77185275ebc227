// What a running server tells the `handoff` command on the same machine: the base URL it serves
// at. `PORT=9090 npm start` derives http://127.0.0.1:9090; a later `handoff app create` in another
// shell, without PORT, would otherwise print an issuer on 8080. The server writes
// $HANDOFF_DATA_DIR/server.json when it listens, and the command reads it unless its own
// environment names the URL (HANDOFF_BASE_URL, or PORT).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config, Env } from "./config.js";

export const RUNNING_FILE = "server.json";

/** Records where this server is; best effort (a read-only data directory only loses the hint). */
export function writeRunning(config: Config): boolean {
  const file = join(config.dataDir, RUNNING_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const running = { base_url: config.baseUrl, pid: process.pid, started_at: new Date() };
    writeFileSync(temporary, `${JSON.stringify(running, null, 2)}\n`);
    renameSync(temporary, file);
    return true;
  } catch {
    return false;
  }
}

/** `config` with the base URL of the server last started on its data directory, if any. */
export function withRunningBaseUrl(config: Config, env: Env): Config {
  if (env.HANDOFF_BASE_URL || env.PORT) return config;
  try {
    const running = JSON.parse(readFileSync(join(config.dataDir, RUNNING_FILE), "utf8")) as {
      base_url?: unknown;
    };
    const url = running.base_url;
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) return config;
    return { ...config, baseUrl: url.replace(/\/+$/, "") };
  } catch {
    return config;
  }
}
