// The OpenAPI document passes Redocly's recommended rules (issue 29): what a client generator
// reads is valid, every operation names itself and its security, and nothing is left as a
// warning. The document is the one the server serves at /openapi.json.
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.js";

describe("the OpenAPI document", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp("sqlite");
  });
  afterAll(async () => t.app.close());

  it("is clean under redocly lint's recommended rules", async () => {
    const source = (await t.app.inject({ url: "/openapi.json" })).body;
    const problems = await lintFromString({
      source,
      absoluteRef: "/openapi.json",
      config: await createConfig({ extends: ["recommended"] }),
    });
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ""}`,
    );
    expect(found).toEqual([]);
  });
});
