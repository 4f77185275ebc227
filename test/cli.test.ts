// The `handoff` command against a real SQLite file: partners, tokens and keys, secrets shown once.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

import { APP_OPTIONS } from "../src/cli/apps.js";
import { runCli } from "../src/cli/main.js";
import { openDatabase } from "../src/db/open.js";
import { freePort } from "./helpers/net.js";
import { spKeys } from "./helpers/saml.js";
import { startHandoff } from "./helpers/server.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "handoff-cli-"));
const env = {
  ...process.env,
  HANDOFF_DATA_DIR: dir,
  DATABASE_URL: `sqlite:${join(dir, "cli.db")}`,
  LOG_LEVEL: "silent",
};

/** Runs one command in this process, as the binary would: its parsed --json output and stderr. */
async function handoffWithErr(...args: string[]) {
  let out = "";
  let err = "";
  const code = await runCli([...args, "--json"], {
    env,
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  if (code !== 0) throw new Error(`handoff ${args.join(" ")} exited ${code}: ${err}`);
  return { json: JSON.parse(out), err };
}

/** Runs one command in this process, as the binary would, and returns its parsed --json output. */
async function handoff(...args: string[]) {
  return (await handoffWithErr(...args)).json;
}

describe("handoff CLI", () => {
  beforeAll(async () => {
    expect(await runCli(["migrate"], { env, out: () => {}, err: () => {} })).toBe(0);
  });

  it("says an app it just made has a secret, beside the secret (issue 29)", async () => {
    const app = await handoff("app", "create", "--name", "Shop", "--url", "https://shop.example");
    expect(app.app_secret).toMatch(/^has_/);
    expect(app.has_secret).toBe(true);
    const listed = (await handoff("app", "list")) as { id: string; has_secret: boolean }[];
    expect(listed.find((a) => a.id === app.id)?.has_secret).toBe(true);
  });

  it("prints the running server's URLs, not its own default port (issue 29)", {
    timeout: 60_000,
  }, async () => {
    // `PORT=9090 npm start` in one shell, `handoff app create` in another, without PORT.
    const data = mkdtempSync(join(tmpdir(), "handoff-cli-running-"));
    const port = await freePort();
    const server = await startHandoff({ HANDOFF_DATA_DIR: data, PORT: String(port) });
    try {
      const { PORT: _port, HANDOFF_BASE_URL: _base, ...shell } = process.env;
      let err = "";
      const code = await runCli(
        ["app", "create", "--name", "RP", "--url", "https://rp.example"].concat([
          "--redirect-uri",
          "https://rp.example/cb",
        ]),
        {
          env: { ...shell, HANDOFF_DATA_DIR: data, LOG_LEVEL: "silent" },
          out: () => {},
          err: (text) => {
            err += text;
          },
        },
      );
      expect(code).toBe(0);
      expect(err).toContain(`issuer http://127.0.0.1:${port}/oidc.`);
      // The shell's own HANDOFF_BASE_URL still wins: it names the URL on purpose.
      err = "";
      await runCli(
        ["app", "create", "--name", "RP2", "--url", "https://rp.example"].concat([
          "--redirect-uri",
          "https://rp.example/cb",
        ]),
        {
          env: { ...shell, HANDOFF_DATA_DIR: data, HANDOFF_BASE_URL: "https://sso.example" },
          out: () => {},
          err: (text) => {
            err += text;
          },
        },
      );
      expect(err).toContain("issuer https://sso.example/oidc.");
    } finally {
      server.kill("SIGTERM");
    }
  });

  it("creates, lists, links, suspends partners and manages their tokens", async () => {
    const parent = await handoff("partner", "create", "--name", "Parent Co");
    expect(parent.partner_token).toMatch(/^hpt_/);
    const child = await handoff("partner", "create", "--name", "Child Co");
    expect(await handoff("partner", "link", parent.id, child.id)).toMatchObject({ linked: true });
    const token = await handoff("api-token", "create", parent.id, "--name", "backend");
    expect(token.api_token).toMatch(/^hak_/);
    const listed = await handoff("api-token", "list", parent.id);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(token.api_token);
    expect(await handoff("api-token", "revoke", parent.id, token.id)).toMatchObject({
      revoked: true,
    });
    const rotated = await handoff("partner-token", "rotate", parent.id, "--overlap", "60");
    expect(rotated.partner_token).toMatch(/^hpt_/);
    expect(rotated.partner_token).not.toBe(parent.partner_token);
    await handoff("partner", "suspend", child.id);
    const partners = await handoff("partner", "list");
    expect(partners.find((p: { id: string }) => p.id === child.id).status).toBe("suspended");
    const kid = (await handoff("keys", "rotate")).kid;
    expect((await handoff("keys", "list")).map((k: { kid: string }) => k.kid)).toContain(kid);
  });

  it("creates operators and partner viewers for the console, and records who changed what", async () => {
    const operator = await handoff("operator", "create", "--email", "Root@Platform.example");
    expect(operator).toMatchObject({ email: "root@platform.example" });
    expect(operator.password.length).toBeGreaterThanOrEqual(12);
    expect((await handoff("operator", "list")).map((o: { id: string }) => o.id)).toContain(
      operator.id,
    );
    expect(await handoff("operator", "unlock", "root@platform.example")).toMatchObject({
      unlocked: true,
    });
    const partner = await handoff("partner", "create", "--name", "Viewer Co");
    const viewer = await handoff(
      "partner-user",
      "create",
      partner.id,
      "--login",
      "viewer@viewer.example",
      "--role",
      "viewer",
    );
    expect(viewer.role).toBe("viewer");
    await expect(
      handoff(
        "partner-user",
        "create",
        partner.id,
        "--login",
        "x@viewer.example",
        "--role",
        "root",
      ),
    ).rejects.toThrow("--role is admin or viewer");
    const database = await openDatabase(env.DATABASE_URL);
    try {
      const entries = await database.read
        .selectFrom("audit_log")
        .select(["actor", "action"])
        .where("partner_id", "=", partner.id)
        .orderBy("at")
        .execute();
      expect(entries).toEqual([
        { actor: "cli", action: "partner.create" },
        { actor: "cli", action: "partner_user.create" },
      ]);
    } finally {
      await database.close();
    }
  });

  it("creates, updates and lists apps, showing the app secret once", async () => {
    const app = await handoff(
      "app",
      "create",
      "--name",
      "Shop",
      "--url",
      "https://shop.example",
      "--return-path",
      "/orders",
    );
    expect(app.app_secret).toMatch(/^has_/);
    const updated = await handoff(
      "app",
      "update",
      app.id,
      "--session-idle",
      "600",
      "--ip-binding",
      "prefix",
      "--failure-url",
      "https://partner.example/failed",
      "--pkce-required",
      "false",
      "--backchannel-logout-uri",
      "https://shop.example/backchannel-logout",
    );
    expect(updated).toMatchObject({
      session_idle: 600,
      ip_binding: "prefix",
      failure_url: "https://partner.example/failed",
      return_paths: ["/orders"],
      oidc_pkce_required: false,
      oidc_backchannel_logout_uri: "https://shop.example/backchannel-logout",
    });
    // A private address is refused, as for webhooks; "" removes the URI.
    await expect(
      handoff("app", "update", app.id, "--backchannel-logout-uri", "https://10.0.0.1/logout"),
    ).rejects.toThrow(/backchannel_logout_uri/);
    const cleared = await handoff("app", "update", app.id, "--backchannel-logout-uri", "");
    expect(cleared.oidc_backchannel_logout_uri).toBeNull();
    const listed = await handoff("app", "list");
    expect(JSON.stringify(listed)).not.toContain(app.app_secret);
    expect(listed.find((a: { id: string }) => a.id === app.id)).toMatchObject({
      session_idle: 600,
    });
    const rotated = await handoff("app", "rotate-secret", app.id);
    expect(rotated.app_secret).not.toBe(app.app_secret);
    await expect(handoff("app", "update", app.id, "--session-idle", "10")).rejects.toThrow(
      /session_idle_seconds must be/,
    );
  });

  it("registers an app as an OIDC client and turns it off again", async () => {
    const app = await handoff(
      "app",
      "create",
      "--name",
      "Storefront",
      "--url",
      "https://shop.example",
      "--redirect-uri",
      "https://shop.example/callback",
      "--redirect-uri",
      "http://127.0.0.1:3000/callback",
      "--post-logout-redirect-uri",
      "https://shop.example/",
      "--refresh-tokens",
      "true",
    );
    // --json lists are arrays, as a script expects.
    expect(app).toMatchObject({
      oidc_redirect_uris: ["https://shop.example/callback", "http://127.0.0.1:3000/callback"],
      oidc_post_logout_redirect_uris: ["https://shop.example/"],
      oidc_refresh_tokens: true,
      return_paths: ["/"],
      products: [],
    });
    await expect(
      handoff("app", "update", app.id, "--redirect-uri", "https://shop.example/cb#frag"),
    ).rejects.toThrow(/without credentials or fragment/);
    await expect(handoff("app", "update", app.id, "--refresh-tokens", "maybe")).rejects.toThrow(
      /--refresh-tokens must be true or false/,
    );
    const off = await handoff("app", "update", app.id, "--redirect-uri", "");
    expect(off.oidc_redirect_uris).toEqual([]);
  });

  it("gives a SAML SP an encryption certificate, and takes it away (issue 28)", async () => {
    const certificate = join(dir, "sp-encryption.pem");
    writeFileSync(certificate, (await spKeys()).certificate);
    const app = await handoff(
      "app",
      "create",
      "--name",
      "Vault",
      "--url",
      "https://vault.example",
      "--saml-entity-id",
      "https://vault.example/saml",
      "--saml-acs",
      "https://vault.example/saml/acs",
      "--saml-encryption-cert",
      certificate,
    );
    expect(app.saml.encryption_certificate).toContain("BEGIN CERTIFICATE");
    expect(app.saml.certificate).toBeNull();
    const off = await handoff("app", "update", app.id, "--saml-encryption-cert", "");
    expect(off.saml.encryption_certificate).toBeNull();
    expect(off.saml.entity_id).toBe("https://vault.example/saml");
  });

  it("lists every app option in its usage text", async () => {
    let usage = "";
    expect(await runCli(["help"], { env, out: (t) => (usage += t), err: () => {} })).toBe(0);
    for (const option of Object.keys(APP_OPTIONS)) expect(usage).toContain(`--${option}`);
  });

  it("prints lists space-separated without --json", async () => {
    let out = "";
    const code = await runCli(
      [
        "app",
        "create",
        "--name",
        "Two",
        "--url",
        "https://two.example",
        "--return-path",
        "/a",
        "--return-path",
        "/b",
      ],
      { env, out: (t) => (out += t), err: () => {} },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^return_paths\s+\/a \/b$/m);
    expect(out).toMatch(/^products\s+-$/m);
  });

  it("says when --url loses its trailing slash", async () => {
    const { json, err } = await handoffWithErr(
      "app",
      "create",
      "--name",
      "Slash",
      "--url",
      "https://shop.example/store/",
    );
    expect(json.url).toBe("https://shop.example/store");
    expect(err).toContain(
      "--url https://shop.example/store/ is kept as https://shop.example/store (no trailing slash)",
    );
    expect(err).toContain("https://shop.example/store/\n");
    const kept = await handoffWithErr("app", "update", json.id, "--url", "https://shop.example/s");
    expect(kept.err).toBe("");
  });

  it("says in one line that the port is taken", { timeout: 60_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const failed = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", "start"], {
        env: { ...env, PORT: port, HANDOFF_DEMO: "0", LOG_LEVEL: "warn" },
        timeout: 50_000,
      }).then(
        () => null,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe(
        `handoff: cannot listen on 127.0.0.1:${port}: the address is already in use (another process holds the port; set PORT or HOST)\n`,
      );
      // On Node 20 `start` says once, in its own log, what oidc-provider's dropped line said.
      const warned = (failed?.stdout.match(/older than oidc-provider supports/g) ?? []).length;
      expect(warned).toBe(Number(process.versions.node.split(".")[0]) < 22 ? 1 : 0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("explains a bad call on one line and exits non-zero", { timeout: 60_000 }, async () => {
    const failed = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "partner", "create"],
      { env },
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("partner create needs --name"),
    });
    // oidc-provider's "Unsupported runtime" line (Node 20) is noise in a CLI command.
    expect(failed?.stderr).not.toContain("oidc-provider WARNING");
    await expect(
      run(process.execPath, ["--import", "tsx", "src/cli/main.ts", "start"], {
        env: { ...env, PORT: "x" },
      }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining("configuration error: PORT: must be a whole number"),
    });
  });
});
