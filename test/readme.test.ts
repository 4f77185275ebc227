// What a newcomer runs from the README against the demo: the curl snippet, run by bash as written
// there (with HANDOFF_DATA_DIR absolute and another working directory), and `npm run storefront`
// reading the same data directory on a port of its own.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoCredentials, ensureDemo, writeDemoFile } from "../src/demo/demo.js";
import { domainsOf, type TestApp, testApp } from "./helpers/app.js";
import { freePort } from "./helpers/net.js";

const run = promisify(execFile);

/** The README's shell block that talks to the demo: the very text a reader pastes. */
function snippet(): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .find((text) => text.includes("demo-credentials.json"));
  if (!block) throw new Error("README has no shell block using demo-credentials.json");
  return block;
}

describe("the README's requirements", () => {
  it("say what npm ci on Node 20 needs to build better-sqlite3 12 when no binary downloads", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const requirements = readme.slice(readme.indexOf("## Two commands"), readme.indexOf("```sh"));
    const { optionalDependencies } = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as { optionalDependencies: Record<string, string> };
    expect(optionalDependencies["better-sqlite3-node20"]).toMatch(/^npm:better-sqlite3@\^12/);
    for (const needed of ["better-sqlite3 12", "python3", "make", "C++ compiler", "2 minutes"])
      expect(requirements).toContain(needed);
  });
});

describe("the README's demo steps", () => {
  let t: TestApp;
  let base: string;
  let dataDir: string;
  let demo: DemoCredentials;
  /** Another working directory than the repository's: the data dir is reached only by its path. */
  const elsewhere = mkdtempSync(join(tmpdir(), "handoff-readme-cwd-"));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await testApp("sqlite", { demo: undefined, baseUrl: base, port });
    t.clock.set(Date.now());
    await t.app.listen({ port, host: "127.0.0.1" });
    const created = await ensureDemo(domainsOf(t.app));
    if (!created) throw new Error("no demo");
    demo = created;
    dataDir = mkdtempSync(join(tmpdir(), "handoff-readme-data-"));
    writeDemoFile(dataDir, demo);
  });
  afterAll(async () => t.app.close());

  const bash = (env: Record<string, string>) =>
    run("bash", ["-e", "-o", "pipefail", "-c", snippet()], {
      cwd: elsewhere,
      env: { ...process.env, ...env },
    });

  it("mints a login link with the curl snippet when HANDOFF_DATA_DIR is absolute", async () => {
    const { stdout } = await bash({ HANDOFF_DATA_DIR: dataDir });
    const minted = JSON.parse(stdout) as { login_url: string; ticket: string };
    expect(minted.login_url).toBe(`${base}/login/${minted.ticket}`);
    const page = await fetch(minted.login_url);
    expect(page.status).toBe(200);
  });

  it("stops with the exchange's error, not an `undefined` token, when the credentials are wrong", async () => {
    const broken = mkdtempSync(join(tmpdir(), "handoff-readme-broken-"));
    writeFileSync(
      join(broken, "demo-credentials.json"),
      JSON.stringify({ ...demo, partner: { ...demo.partner, api_token: "hak_wrong" } }),
    );
    const failed = await bash({ HANDOFF_DATA_DIR: broken }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toContain("invalid_api_token");
    expect(failed?.stdout).not.toContain("login_url");
  });

  it("runs the storefront from HANDOFF_DATA_DIR on STOREFRONT_PORT", {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "examples/storefront/server.ts"],
      {
        env: { ...process.env, HANDOFF_DATA_DIR: dataDir, STOREFRONT_PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    try {
      const origin = `http://127.0.0.1:${port}`;
      await expect
        .poll(() => output, { timeout: 30_000, interval: 100 })
        .toContain(`storefront listening on ${origin}`);
      // Handoff knows it at port 3000: the storefront says how to register where it is (on
      // stderr, a pipe of its own: it may arrive after the line on stdout).
      const command = `npm run handoff -- app update ${demo.oidc_client.client_id} --url ${origin} --redirect-uri ${origin}/callback --post-logout-redirect-uri ${origin}/signed-out`;
      await expect.poll(() => output, { timeout: 10_000, interval: 50 }).toContain(command);
      await domainsOf(t.app).apps.update(demo.oidc_client.client_id, {
        baseUrl: origin,
        redirectUris: [`${origin}/callback`],
        postLogoutRedirectUris: [`${origin}/signed-out`],
      });
      const first = await fetch(`${origin}/`, { redirect: "manual" });
      expect(first.status).toBe(302);
      const authorize = new URL(first.headers.get("location") ?? "");
      expect(authorize.href.startsWith(`${base}/oidc/auth?`)).toBe(true);
      expect(authorize.searchParams.get("redirect_uri")).toBe(`${origin}/callback`);
      expect(authorize.searchParams.get("client_id")).toBe(demo.oidc_client.client_id);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    }
  });
});
