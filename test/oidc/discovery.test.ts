// Discovery offers what docs/oidc.md documents, and nothing more: a field oidc-provider turns
// on by default (pushed authorization requests, DPoP) must not reach clients unannounced.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.js";

/** The backquoted field names in the first column of docs/oidc.md's discovery table. */
function documentedFields(): string[] {
  const doc = readFileSync(new URL("../../docs/oidc.md", import.meta.url), "utf8");
  const section = doc.split("## What discovery advertises")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]))
    .filter((name): name is string => name !== undefined);
}

describe("OIDC discovery", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp("sqlite");
  });
  afterAll(async () => t.app.close());

  it("advertises exactly the fields docs/oidc.md documents", async () => {
    const response = await t.app.inject({ url: "/oidc/.well-known/openid-configuration" });
    expect(response.statusCode).toBe(200);
    const fields = Object.keys(response.json()).sort();
    expect(fields).toEqual([...new Set(documentedFields())].sort());
  });

  it("offers neither pushed authorization requests nor DPoP", async () => {
    const discovery = (
      await t.app.inject({ url: "/oidc/.well-known/openid-configuration" })
    ).json() as Record<string, unknown>;
    expect(discovery.pushed_authorization_request_endpoint).toBeUndefined();
    expect(discovery.dpop_signing_alg_values_supported).toBeUndefined();
    const par = await t.app.inject({ method: "POST", url: "/oidc/request", payload: "" });
    expect(par.statusCode).toBe(404);
  });
});
