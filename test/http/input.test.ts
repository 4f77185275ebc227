// SECURITY.md row 40 and issue 2 item 6: bad input of every kind is a clear 4xx, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.js";
import { ssoFixture } from "../helpers/sso.js";

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
    ["text/plain", '{"partner_token": "a", "api_token": "b"}'],
    ["text/plain; charset=utf-8", "partner_token=a"],
    ["application/x-www-form-urlencoded", "partner_token=a&api_token=b"],
  ])("answers %s to a JSON-only route with 415, naming what it takes", async (type, payload) => {
    const response = await post("/v1/auth/token", payload, type);
    expectProblem(response, 415, "unsupported_media_type");
    expect((response.json() as { detail: string }).detail).toBe(
      "This address takes application/json.",
    );
  });

  it("checks the media type after the bearer token, and before the body's schema", async () => {
    const fixture = await ssoFixture(t.app);
    const form = "user[external_id]=u-1";
    const type = "application/x-www-form-urlencoded";
    expectProblem(await post("/v1/sso/tickets", form, type), 401, "invalid_token");
    const authorized = await t.app.inject({
      method: "POST",
      url: "/v1/sso/tickets",
      payload: form,
      headers: { "content-type": type, authorization: `Bearer ${fixture.token}` },
    });
    expectProblem(authorized, 415, "unsupported_media_type");
  });

  it("takes a form where the route declares one: RFC 7662 introspection", async () => {
    const fixture = await ssoFixture(t.app, {}, "Form Partner");
    const form = new URLSearchParams({
      token: "not-a-session",
      client_id: fixture.appId,
      client_secret: fixture.appSecret,
    }).toString();
    const response = await post(
      "/v1/sessions/introspect",
      form,
      "application/x-www-form-urlencoded",
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ active: false });
    const document = (await t.app.inject({ url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, { requestBody?: { content: object } }>>;
    };
    const content = (path: string) =>
      Object.keys(document.paths[path]?.post?.requestBody?.content ?? {}).sort();
    expect(content("/v1/sessions/introspect")).toEqual([
      "application/json",
      "application/x-www-form-urlencoded",
    ]);
    expect(content("/v1/auth/token")).toEqual(["application/json"]);
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
