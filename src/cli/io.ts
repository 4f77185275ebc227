// Shared pieces of the `handoff` command: argument parsing, output, opening the services.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { compose, type Domains, listen } from "../compose.js";
import { type Env, loadConfig } from "../config.js";
import { withRunningBaseUrl } from "../config-running.js";

export class UsageError extends Error {
  override name = "UsageError";
}

/** Where a command reads its environment and writes its output: the process, or a test. */
export interface Cli {
  env: Env;
  out(text: string): void;
  err(text: string): void;
}

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parse(args: string[], options: Options = {}): Parsed {
  try {
    return parseArgs({
      args,
      options: { ...options, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs `work` with the domains of the configured database (no jobs, no routes), then closes it. */
export async function withServices<T>(
  cli: Cli,
  work: (services: Domains) => Promise<T>,
): Promise<T> {
  // The URLs it prints are the running server's (PORT=9090 npm start), not this shell's default.
  const composition = await compose(withRunningBaseUrl(loadConfig(cli.env), cli.env));
  const { domains } = composition;
  const stopListening = listen(composition);
  try {
    return await work(domains);
  } finally {
    stopListening();
    await domains.database.close();
  }
}

export function positional(positionals: string[], index: number, name: string): string {
  const value = positionals[index];
  if (!value) throw new UsageError(`missing <${name}>`);
  return value;
}

/** An ISO 8601 date or date-time, as epoch ms. */
export function timeOption(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO 8601 date, got "${value}"`);
  return ms;
}

/** One value on a text line: lists space-separated, nothing as "-". */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(String).join(" ");
  return String(value);
}

/** Prints JSON with --json (lists as arrays), otherwise aligned "key  value" lines. */
export function print(
  cli: Cli,
  json: boolean | undefined,
  value: Record<string, unknown> | Record<string, unknown>[],
): void {
  if (json) {
    cli.out(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const rows = Array.isArray(value) ? value : [value];
  for (const row of rows) {
    const width = Math.max(...Object.keys(row).map((k) => k.length));
    for (const [key, v] of Object.entries(row)) {
      cli.out(`${key.padEnd(width)}  ${shown(v)}\n`);
    }
    if (rows.length > 1) cli.out("\n");
  }
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
