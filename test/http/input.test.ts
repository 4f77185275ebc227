// SECURITY.md row 40 and issue 2 item 6: bad input of every kind is a clear 4xx, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.js";

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

describe("bad input", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp("sqlite", { bodyLimitBytes: 2048 });
  });
  afterAll(async () => {
    await t.app.close();
  });

  const post = (url: string, payload: string, contentType = "application/json") =>
    t.app.inject({ method: "POST", url, payload, headers: { "content-type": contentType } });

  function expectProblem(response: Answer, status: number, code: string) {
    expect(response.statusCode).toBe(status);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.json()).toMatchObject({ status, code });
    expect(response.body).not.toMatch(/\bat \w+.*\(|node_modules|\.ts:\d+/);
  }

  it("answers malformed JSON with 400 invalid_json", async () => {
    expectProblem(await post("/v1/auth/token", '{"partner_token": '), 400, "invalid_json");
  });

  it("answers an empty JSON body with 400", async () => {
    expectProblem(await post("/v1/auth/token", ""), 400, "invalid_json");
  });

  it("answers wrong types with 400 invalid_request naming the field", async () => {
    const response = await post(
      "/v1/auth/token",
      JSON.stringify({ partner_token: 123, api_token: ["x"] }),
    );
    expectProblem(response, 400, "invalid_request");
    expect((response.json() as { detail: string }).detail).toMatch(/partner_token|api_token/);
  });

  it("answers unknown fields on the native API with 400", async () => {
    const payload = JSON.stringify({ partner_token: "a", api_token: "b", partner_id: "x" });
    expectProblem(await post("/v1/auth/token", payload), 400, "invalid_request");
  });

  it("answers a body over the limit with 413", async () => {
    const payload = JSON.stringify({ partner_token: "x".repeat(4000) });
    expectProblem(await post("/v1/auth/token", payload), 413, "payload_too_large");
  });

  it("answers an unsupported Content-Type with 415", async () => {
    expectProblem(
      await post("/v1/auth/token", "<xml/>", "application/xml"),
      415,
      "unsupported_media_type",
    );
  });

  it.each([
    '{"__proto__": {"admin": true}, "partner_token": "a", "api_token": "b"}',
    '{"constructor": {"prototype": {"admin": true}}, "partner_token": "a", "api_token": "b"}',
  ])("answers prototype-poisoning keys with 400: %s", async (payload) => {
    expectProblem(await post("/v1/auth/token", payload), 400, "invalid_json");
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("answers prototype-poisoning keys in a form body without polluting anything", async () => {
    const response = await post(
      "/v1/autho/apitoken/login/",
      "__proto__[admin]=1&constructor[prototype][admin]=1",
      "application/x-www-form-urlencoded",
    );
    expect(response.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("answers the seed 001 shape's malformed JSON in its own envelope", async () => {
    const response = await post("/v1/autho/apitoken/login/", "{nope");
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ result: "11", status: "DATA_ERROR" });
  });

  it("answers unknown paths with 404 problem+json", async () => {
    expectProblem(await t.app.inject({ method: "GET", url: "/nothing/here" }), 404, "not_found");
  });
});
