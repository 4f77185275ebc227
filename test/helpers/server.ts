// `handoff start` as its own process, for tests about what survives or crosses processes.
import { type ChildProcess, spawn } from "node:child_process";

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
