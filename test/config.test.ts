// Configuration: defaults, and a clear error naming the variable for each bad value.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const dataDir = () => mkdtempSync(join(tmpdir(), "handoff-config-"));

describe("configuration", () => {
  it("has working defaults: port 8080 on 127.0.0.1, SQLite in the data directory, a demo on empty databases", () => {
    const dir = dataDir();
    const config = loadConfig({ HANDOFF_DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: `sqlite:${join(dir, "handoff.db")}`,
      baseUrl: "http://127.0.0.1:8080",
      demo: undefined,
      logLevel: "info",
      secretKeySource: "file",
      sqliteSynchronous: "FULL",
    });
    // The development key is created once, private to the owner, and reused.
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(loadConfig({ HANDOFF_DATA_DIR: dir }).secretKey.equals(config.secretKey)).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ HANDOFF_BASE_URL: "not a url" }, "HANDOFF_BASE_URL"],
    [{ HANDOFF_BASE_URL: "ftp://example.com" }, "HANDOFF_BASE_URL"],
    [{ HANDOFF_DEMO: "maybe" }, "HANDOFF_DEMO"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ HANDOFF_SECRET_KEY: "c2hvcnQ=" }, "HANDOFF_SECRET_KEY"],
    [{ NODE_ENV: "production" }, "HANDOFF_SECRET_KEY"],
    [{ HANDOFF_TRUSTED_PROXIES: "10.0.0.1,evil.example" }, "HANDOFF_TRUSTED_PROXIES"],
    [{ HANDOFF_SQLITE_SYNCHRONOUS: "OFF" }, "HANDOFF_SQLITE_SYNCHRONOUS"],
    [{ STOREFRONT_PORT: "3o01" }, "STOREFRONT_PORT"],
  ])("refuses %o naming %s", (env, variable) => {
    try {
      loadConfig({ HANDOFF_DATA_DIR: dataDir(), ...env });
      expect.unreachable("loadConfig accepted a bad value");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toMatch(new RegExp(`^${variable}: `));
    }
  });

  it("takes a base URL without its trailing slash and a 32-byte key in base64 or hex", () => {
    const config = loadConfig({
      HANDOFF_DATA_DIR: dataDir(),
      HANDOFF_BASE_URL: "https://sso.example.com/",
      HANDOFF_SECRET_KEY: "ab".repeat(32),
      HANDOFF_DEMO: "0",
    });
    expect(config.baseUrl).toBe("https://sso.example.com");
    expect(config.secretKeySource).toBe("env");
    expect(config.demo).toBe(false);
  });

  it("registers the demo's storefront on STOREFRONT_PORT, the port the storefront reads too", () => {
    const dir = dataDir();
    expect(loadConfig({ HANDOFF_DATA_DIR: dir }).demoStorefrontUrl).toBe("http://127.0.0.1:3000");
    expect(loadConfig({ HANDOFF_DATA_DIR: dir, STOREFRONT_PORT: "3001" }).demoStorefrontUrl).toBe(
      "http://127.0.0.1:3001",
    );
  });
});
