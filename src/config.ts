// Environment → one typed, validated Config object. The only file that reads process.env.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { outboundAllow, type SmsConfig, smsConfig, smtpUrl } from "./config-delivery.js";
import { ConfigError, type Env, integer, oneOf } from "./config-parse.js";

export type { SmsConfig } from "./config-delivery.js";
export { ConfigError, type Env } from "./config-parse.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type SqliteSynchronous = "FULL" | "NORMAL" | "EXTRA";

export interface Config {
  port: number;
  host: string;
  /** `sqlite:<path>`, `sqlite::memory:`, `postgres://…`, or `pglite:memory` / `pglite:<dir>`. */
  databaseUrl: string;
  dataDir: string;
  /** Public URL of this service, without a trailing slash; used in login links and as JWT issuer. */
  baseUrl: string;
  /** undefined: create the demo when the database is empty; false: never. */
  demo: boolean | undefined;
  /** Where the demo registers `npm run storefront` (http://127.0.0.1:$STOREFRONT_PORT). */
  demoStorefrontUrl: string;
  logLevel: LogLevel;
  /** 32-byte key for AES-256-GCM sealing of private keys and partner data. */
  secretKey: Buffer;
  /** Where the secret key came from, so start-up can warn about the development fallback. */
  secretKeySource: "env" | "file";
  /** `trustProxy` for Fastify: addresses or CIDRs of reverse proxies whose X-Forwarded-For we believe. */
  trustedProxies: string[];
  bodyLimitBytes: number;
  /** How long a rotated partner token keeps working, in seconds. */
  partnerTokenOverlapSeconds: number;
  /** How long a credential check (API token, partner status) is cached per process, in ms. */
  authCacheMs: number;
  /** Failed credential attempts per client address (and account, for passwords) a minute. */
  authFailuresPerMinute: number;
  sqliteSynchronous: SqliteSynchronous;
  /** PostgreSQL: named statements (src/db/pg-named.ts); off for an old PgBouncer. */
  pgNamedStatements: boolean;
  /** Seconds between background pruning runs; 0 turns pruning off. */
  pruneIntervalSeconds: number;
  /** Days a finished or expired ticket, or an ended session, stays visible before pruning. */
  ticketRetentionDays: number;
  /** Days audit entries are kept. */
  auditRetentionDays: number;
  /** Seconds a partner user stays locked after three wrong passwords in a row. */
  partnerUserLockSeconds: number;
  /** Login links one partner may mint per minute (every node's together on PostgreSQL). */
  mintsPerMinute: number;
  /** Unused, unexpired login links one user may hold at once. */
  ticketsPerUser: number;
  /** OIDC authorize and logout requests without a live session, per client address a minute. */
  anonymousWritesPerMinute: number;
  /** Open connections per process; more are refused at once. */
  maxConnections: number;
  /** Seconds a request may take to arrive whole (headers: a third of it, at most 10). */
  requestTimeoutSeconds: number;
  /** Seconds between SIGTERM (readiness off) and closing, so the balancer stops sending first. */
  drainSeconds: number;
  /** The bearer token /metrics asks for; without one there is no /metrics. */
  metricsToken: string | null;
  /** Minutes a console session lasts without a request. */
  consoleIdleMinutes: number;
  /** Hours a console session lasts at most, however active. */
  consoleSessionHours: number;
  /** Operators must enrol and give a TOTP code to use the console. */
  consoleRequire2fa: boolean;
  /** Where one-time codes are mailed (smtp:// or smtps://); null: no mail (the demo's mailbox). */
  smtpUrl: string | null;
  /** The From of Handoff's mail. */
  mailFrom: string;
  /** Who sends one-time codes by SMS; null: nobody (the demo's mailbox shows them, if served). */
  sms: SmsConfig | null;
  /**
   * Address ranges (CIDRs) partners' endpoints may resolve to besides public ones: for testing
   * against this machine (`127.0.0.1/32`). Empty in production.
   */
  outboundAllow: string[];
}

function databaseUrl(env: Env, dataDir: string): string {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === "") return `sqlite:${join(dataDir, "handoff.db")}`;
  if (/^(sqlite|pglite):.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw)) return raw;
  throw new ConfigError(
    "DATABASE_URL",
    "must start with sqlite:, postgres://, postgresql:// or pglite: (for example sqlite:./data/handoff.db)",
  );
}

function baseUrl(env: Env, host: string, port: number): string {
  const raw = env.HANDOFF_BASE_URL;
  if (raw === undefined || raw === "") {
    const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("HANDOFF_BASE_URL", `is not a URL: "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError("HANDOFF_BASE_URL", "must be an http:// or https:// URL");
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError("HANDOFF_BASE_URL", "must not carry a query, fragment or credentials");
  }
  return url.href.replace(/\/+$/, "");
}

function demo(env: Env): boolean | undefined {
  const raw = env.HANDOFF_DEMO;
  if (raw === undefined || raw === "") return undefined;
  if (raw === "0" || raw.toLowerCase() === "false") return false;
  if (raw === "1" || raw.toLowerCase() === "true") return true;
  throw new ConfigError("HANDOFF_DEMO", `must be 0 or 1, got "${raw}"`);
}

/**
 * The sealing key: HANDOFF_SECRET_KEY (32 bytes, base64 or hex) in production. Without it, a key
 * is generated once into the data directory (mode 0600) so development works out of the box.
 */
function secretKey(
  env: Env,
  dataDir: string,
  databaseUrl: string,
): Pick<Config, "secretKey" | "secretKeySource"> {
  const raw = env.HANDOFF_SECRET_KEY;
  if (raw !== undefined && raw !== "") {
    const key = /^[0-9a-fA-F]{64}$/.test(raw)
      ? Buffer.from(raw, "hex")
      : Buffer.from(raw, "base64");
    if (key.length !== 32) {
      throw new ConfigError(
        "HANDOFF_SECRET_KEY",
        "must be 32 bytes, base64 or hex encoded (openssl rand -base64 32)",
      );
    }
    return { secretKey: key, secretKeySource: "env" };
  }
  if (env.NODE_ENV === "production") {
    throw new ConfigError(
      "HANDOFF_SECRET_KEY",
      "is required when NODE_ENV=production (openssl rand -base64 32)",
    );
  }
  if (databaseUrl.endsWith(":memory:") || databaseUrl === "pglite:memory") {
    return { secretKey: randomBytes(32), secretKeySource: "file" };
  }
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (key.length !== 32)
      throw new ConfigError("HANDOFF_SECRET_KEY", `${file} does not hold a 32-byte key`);
    return { secretKey: key, secretKeySource: "file" };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  return { secretKey: key, secretKeySource: "file" };
}

/** HANDOFF_TRUSTED_PROXIES: addresses, CIDRs or Fastify's loopback/linklocal/uniquelocal. */
/** A token long enough not to be guessed (it opens the operators' /metrics). */
function metricsToken(env: Env): string | null {
  const token = env.HANDOFF_METRICS_TOKEN?.trim();
  if (!token) return null;
  if (token.length < 32 || /\s/.test(token)) {
    throw new ConfigError(
      "HANDOFF_METRICS_TOKEN",
      "must be at least 32 characters, without spaces",
    );
  }
  return token;
}

function trustedProxies(env: Env): string[] {
  const trusted = (env.HANDOFF_TRUSTED_PROXIES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of trusted) {
    if (
      !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry) &&
      !["loopback", "linklocal", "uniquelocal"].includes(entry)
    ) {
      throw new ConfigError(
        "HANDOFF_TRUSTED_PROXIES",
        `"${entry}" is not an IP address, CIDR or loopback/linklocal/uniquelocal`,
      );
    }
  }
  return trusted;
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, "PORT", 8080, 0, 65535);
  const host = env.HOST || "127.0.0.1";
  const dataDir = resolve(env.HANDOFF_DATA_DIR || "./data");
  const dbUrl = databaseUrl(env, dataDir);
  const trusted = trustedProxies(env);
  const base = baseUrl(env, host, port);
  return {
    port,
    host,
    databaseUrl: dbUrl,
    dataDir,
    baseUrl: base,
    demo: demo(env),
    // The storefront reads the same variable, so one setting moves both.
    demoStorefrontUrl: `http://127.0.0.1:${integer(env, "STOREFRONT_PORT", 3000, 1, 65535)}`,
    logLevel: oneOf(
      env,
      "LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      "info",
    ),
    ...secretKey(env, dataDir, dbUrl),
    trustedProxies: trusted,
    bodyLimitBytes: integer(env, "HANDOFF_BODY_LIMIT", 64 * 1024, 1024, 16 * 1024 * 1024),
    partnerTokenOverlapSeconds: integer(
      env,
      "HANDOFF_PARTNER_TOKEN_OVERLAP",
      7 * 24 * 3600,
      0,
      90 * 24 * 3600,
    ),
    authCacheMs: integer(env, "HANDOFF_AUTH_CACHE_MS", 2000, 0, 60_000),
    authFailuresPerMinute: integer(env, "HANDOFF_AUTH_FAILURES_PER_MINUTE", 20, 1, 1_000_000),
    pruneIntervalSeconds: integer(env, "HANDOFF_PRUNE_INTERVAL", 60, 0, 24 * 3600),
    ticketRetentionDays: integer(env, "HANDOFF_TICKET_RETENTION_DAYS", 7, 0, 3650),
    auditRetentionDays: integer(env, "HANDOFF_AUDIT_RETENTION_DAYS", 90, 0, 3650),
    partnerUserLockSeconds: integer(
      env,
      "HANDOFF_PARTNER_USER_LOCK_SECONDS",
      900,
      1,
      365 * 24 * 3600,
    ),
    sqliteSynchronous: oneOf(
      env,
      "HANDOFF_SQLITE_SYNCHRONOUS",
      ["FULL", "NORMAL", "EXTRA"],
      "FULL",
    ),
    pgNamedStatements: oneOf(env, "HANDOFF_PG_NAMED_STATEMENTS", ["0", "1"], "1") === "1",
    mintsPerMinute: integer(env, "HANDOFF_MINTS_PER_MINUTE", 12_000, 1, 100_000_000),
    ticketsPerUser: integer(env, "HANDOFF_TICKETS_PER_USER", 100, 1, 1_000_000),
    anonymousWritesPerMinute: integer(env, "HANDOFF_ANONYMOUS_PER_MINUTE", 30, 1, 1_000_000),
    maxConnections: integer(env, "HANDOFF_MAX_CONNECTIONS", 2048, 1, 1_000_000),
    requestTimeoutSeconds: integer(env, "HANDOFF_REQUEST_TIMEOUT", 30, 1, 3600),
    drainSeconds: integer(env, "HANDOFF_DRAIN_SECONDS", 5, 0, 300),
    metricsToken: metricsToken(env),
    consoleIdleMinutes: integer(env, "HANDOFF_CONSOLE_IDLE_MINUTES", 30, 1, 24 * 60),
    consoleSessionHours: integer(env, "HANDOFF_CONSOLE_SESSION_HOURS", 12, 1, 30 * 24),
    consoleRequire2fa: oneOf(env, "HANDOFF_CONSOLE_REQUIRE_2FA", ["0", "1"], "0") === "1",
    smtpUrl: smtpUrl(env),
    mailFrom: env.HANDOFF_MAIL_FROM?.trim() || `Handoff <no-reply@${new URL(base).hostname}>`,
    sms: smsConfig(env),
    outboundAllow: outboundAllow(env),
  };
}

/** A configuration for tests and tools: in-memory SQLite, quiet logs, no demo. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    databaseUrl: "sqlite::memory:",
    dataDir: resolve("./data/test"),
    baseUrl: "http://127.0.0.1:8080",
    demo: false,
    demoStorefrontUrl: "http://127.0.0.1:3000",
    logLevel: "silent",
    secretKey: randomBytes(32),
    secretKeySource: "env",
    trustedProxies: [],
    bodyLimitBytes: 64 * 1024,
    partnerTokenOverlapSeconds: 7 * 24 * 3600,
    authCacheMs: 2000,
    authFailuresPerMinute: 20,
    sqliteSynchronous: "NORMAL",
    pgNamedStatements: true,
    pruneIntervalSeconds: 0,
    ticketRetentionDays: 7,
    auditRetentionDays: 90,
    partnerUserLockSeconds: 900,
    mintsPerMinute: 12_000,
    ticketsPerUser: 100,
    anonymousWritesPerMinute: 30,
    maxConnections: 2048,
    requestTimeoutSeconds: 30,
    drainSeconds: 0,
    metricsToken: null,
    consoleIdleMinutes: 30,
    consoleSessionHours: 12,
    consoleRequire2fa: false,
    smtpUrl: null,
    mailFrom: "Handoff <no-reply@127.0.0.1>",
    sms: null,
    outboundAllow: [],
    ...overrides,
  };
}
