// A change made by one process is honoured by every running process within a second (issue 14,
// SECURITY rows 15, 16, 35, 45): the CLI revokes an API token, revokes a signing key or suspends a
// partner while a server runs on the same SQLite file; on PostgreSQL, a logout on one node is
// refused on another. The servers cache credentials for a minute (HANDOFF_AUTH_CACHE_MS), so
// only the change feed can explain a refusal within the second.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/open.js";
import type { DemoCredentials } from "../src/demo/demo.js";
import { buildApp } from "./helpers/app.js";
import { freePort } from "./helpers/net.js";
import { accessTokenAt, startHandoff } from "./helpers/server.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts `handoff start` as its own process, killed after the file's tests. */
async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = await startHandoff(env);
  children.push(child);
  return child;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one `handoff` command in this process (its own database connections) for its JSON. */
async function handoff(env: Record<string, string>, ...args: string[]) {
  let out = "";
  let err = "";
  const code = await runCli([...args, "--json"], {
    env: { ...process.env, ...env },
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  if (code !== 0) throw new Error(`handoff ${args.join(" ")} exited ${code}: ${err}`);
  return JSON.parse(out);
}

const exchange = (base: string, partnerToken: string, apiToken: string) =>
  accessTokenAt(base, { partner_token: partnerToken, api_token: apiToken });

const partnerStatus = async (base: string, token: string) =>
  (await fetch(`${base}/v1/partner`, { headers: { authorization: `Bearer ${token}` } })).status;

/** Redeems a login link the way a browser's form does; returns the session cookie. */
async function redeem(link: string): Promise<string> {
  const origin = new URL(link).origin;
  const response = await fetch(link, {
    method: "POST",
    redirect: "manual",
    headers: { origin, "sec-fetch-site": "same-origin" },
  });
  expect(response.status).toBe(303);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

const verifyStatus = async (base: string, cookie: string) =>
  (await fetch(`${base}/v1/session/verify`, { headers: { cookie } })).status;

describe("changes made by another process (SQLite file, the CLI beside a running server)", () => {
  it("refuses, within a second, an API token, a signing key and a partner the CLI revoked or suspended", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-cross-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HANDOFF_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, "handoff.db")}`,
      HANDOFF_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      HANDOFF_AUTH_CACHE_MS: "60000",
      LOG_LEVEL: "warn",
    };
    await startServer(env);
    const demo = JSON.parse(
      readFileSync(join(dir, "demo-credentials.json"), "utf8"),
    ) as DemoCredentials;
    const partner = demo.partner;

    // An API token revoked by the CLI.
    const second = await handoff(env, "api-token", "create", partner.id, "--name", "second");
    const viaSecond = await exchange(base, partner.partner_token, second.api_token);
    expect(await partnerStatus(base, viaSecond)).toBe(200);
    await handoff(env, "api-token", "revoke", partner.id, second.id);
    await pause(1000);
    expect(await partnerStatus(base, viaSecond)).toBe(401);

    // A signing key revoked by the CLI: what it signed stops verifying.
    const signed = await exchange(base, partner.partner_token, partner.api_token);
    expect(await partnerStatus(base, signed)).toBe(200);
    const kid = JSON.parse(
      Buffer.from(signed.split(".")[0] ?? "", "base64url").toString("utf8"),
    ).kid;
    await handoff(env, "keys", "revoke", kid);
    await pause(1000);
    expect(await partnerStatus(base, signed)).toBe(401);

    // A partner suspended by the CLI: its live session stops passing forward-auth.
    const cookie = await redeem(demo.login_link.url);
    expect(await verifyStatus(base, cookie)).toBe(200);
    await handoff(env, "partner", "suspend", partner.id);
    await pause(1000);
    expect(await verifyStatus(base, cookie)).toBe(401);
  });
});

const postgresUrl = process.env.HANDOFF_TEST_POSTGRES_URL;

describe.skipIf(!postgresUrl)("two server processes on one PostgreSQL", () => {
  it("refuses on one node, within a second, a session logged out on the other", {
    timeout: 120_000,
  }, async () => {
    const url = new URL(postgresUrl as string);
    const name = `handoff_cross_${randomBytes(6).toString("hex")}`;
    const admin = await openDatabase(url.href);
    await sql`create database ${sql.id(name)}`.execute(admin.read);
    await admin.close();
    url.pathname = `/${name}`;
    const dir = mkdtempSync(join(tmpdir(), "handoff-cross-pg-"));
    const [portA, portB] = [await freePort(), await freePort()];
    const env = (port: number) => ({
      PORT: String(port),
      HANDOFF_DATA_DIR: dir,
      DATABASE_URL: url.href,
      HANDOFF_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
      // Both nodes sit behind one origin in production; here each has its own.
      HANDOFF_BASE_URL: `http://127.0.0.1:${port}`,
      HANDOFF_AUTH_CACHE_MS: "60000",
      LOG_LEVEL: "warn",
    });
    await startServer(env(portB));
    const demo = JSON.parse(
      readFileSync(join(dir, "demo-credentials.json"), "utf8"),
    ) as DemoCredentials;
    const nodeA = await buildApp(loadConfig({ ...env(portA), HANDOFF_DEMO: "0" }));
    await nodeA.listen({ port: portA, host: "127.0.0.1" });
    try {
      const baseA = `http://127.0.0.1:${portA}`;
      const baseB = `http://127.0.0.1:${portB}`;
      // The login link names node B's origin; the session is shared through the database.
      const cookie = await redeem(demo.login_link.url);
      expect(await verifyStatus(baseA, cookie)).toBe(200);
      expect(await verifyStatus(baseB, cookie)).toBe(200);
      const logout = await fetch(`${baseA}/logout`, {
        method: "POST",
        headers: { cookie, origin: baseA, "sec-fetch-site": "same-origin" },
      });
      expect(logout.status).toBe(200);
      expect(await verifyStatus(baseA, cookie)).toBe(401);
      await pause(1000);
      expect(await verifyStatus(baseB, cookie)).toBe(401);
    } finally {
      await nodeA.close();
    }
  });
});
