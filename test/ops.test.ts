// Operations: health, readiness, request ids, security headers, OpenAPI.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, type TestApp, testApp } from "./helpers/app.js";

describe.each(dialects)("operations on %s", (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp(dialect);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("reports liveness and readiness", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({
      status: "ok",
    });
    const ready = await t.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
  });

  it("fails readiness with 503 and Retry-After when the database does not answer", async () => {
    const ping = t.database.ping;
    t.database.ping = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    try {
      const response = await t.app.inject({ method: "GET", url: "/readyz" });
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("5");
    } finally {
      t.database.ping = ping;
    }
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  });
});

describe("every response", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp("sqlite");
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("carries a request id, echoing a plain incoming one and replacing an unsafe one", async () => {
    const own = await t.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "abc-123" },
    });
    expect(own.headers["x-request-id"]).toBe("abc-123");
    const unsafe = await t.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "a\nb c" },
    });
    expect(unsafe.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const error = await t.app.inject({ method: "GET", url: "/missing" });
    expect(error.json().request_id).toBe(error.headers["x-request-id"]);
  });

  it("puts the request id in every log line of a request, and writes none below the level", async () => {
    await t.app.inject({ method: "GET", url: "/missing", headers: { "x-request-id": "req-42" } });
    const lines = t.logs.map((line) => JSON.parse(line)).filter((l) => l.reqId === "req-42");
    expect(lines.map((l) => l.msg)).toEqual(["request refused", "request completed"]);
    // One line per request, with what an access log needs.
    expect(lines[1]).toMatchObject({
      req: { method: "GET", url: "/missing", remote_address: "127.0.0.1" },
      res: { statusCode: 404 },
    });
    expect(lines[1].responseTime).toBeGreaterThan(0);
    // A route with its own level (health checks log at warn) writes nothing at info.
    await t.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "h-1" } });
    expect(t.logs.filter((line) => line.includes("h-1"))).toEqual([]);
    const quiet = await testApp("sqlite", { logLevel: "warn" });
    await quiet.app.inject({ method: "GET", url: "/missing", headers: { "x-request-id": "r-7" } });
    expect(quiet.logs.filter((line) => line.includes("r-7"))).toEqual([]);
    await quiet.app.close();
  });

  it("answers a known address asked with another method 405 with Allow, an unknown one 404", async () => {
    const wrong = await t.app.inject({ method: "DELETE", url: "/v1/auth/token" });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
    expect(wrong.headers["content-type"]).toContain("application/problem+json");
    expect(wrong.json()).toMatchObject({ code: "method_not_allowed" });
    const ticket = await t.app.inject({ method: "PUT", url: "/v1/sso/tickets/tkt_1?x=1" });
    expect(ticket.statusCode).toBe(405);
    expect(ticket.headers.allow).toBe("GET, HEAD, DELETE");
    expect((await t.app.inject({ method: "DELETE", url: "/v1/no/such/thing" })).statusCode).toBe(
      404,
    );
  });

  it("carries no-store, nosniff, no-referrer and frame-ancestors 'none'; HSTS only over https", async () => {
    const response = await t.app.inject({ method: "POST", url: "/v1/auth/token", payload: {} });
    expect(response.headers).toMatchObject({
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    });
    expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers["strict-transport-security"]).toBeUndefined();
    const secure = await testApp("sqlite", { baseUrl: "https://sso.example.com" });
    const over = await secure.app.inject({ method: "GET", url: "/healthz" });
    expect(over.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    await secure.app.close();
  });

  it("serves an OpenAPI document that lists the exchange", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    // For generated clients (issue 29): every operation has a unique operationId and declares its
    // security (`[]`: none), and the native API's errors are problem+json, as sent.
    type Op = {
      operationId: string;
      security: unknown[];
      responses: Record<string, { content?: object }>;
    };
    const operations = Object.values(doc.paths as Record<string, Record<string, Op>>).flatMap(
      (item) => Object.values(item),
    );
    const ids = operations.map((op) => op.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.every((op) => Array.isArray(op.security))).toBe(true);
    const mint = doc.paths["/v1/sso/tickets"].post as Op;
    expect(mint.operationId).toBe("postV1SsoTickets");
    expect(Object.keys(mint.responses["4XX"]?.content ?? {})).toEqual(["application/problem+json"]);
    expect(doc.paths["/v1/auth/token"].post.security).toEqual([]);
    expect(doc.paths["/v1/partner"].get.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/auth/token", "/v1/autho/apitoken/login", "/v1/partner"]),
    );
  });
});
