// SECURITY row 57: NUL characters anywhere, and control characters in identifiers, are refused
// at the edge with 400 in each shape's own error style, on every dialect (PostgreSQL would
// otherwise fail the query, and SQLite store the value).
import { type AddressInfo, connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dialects, type TestApp, testApp } from "../helpers/app.js";
import {
  mint,
  redeem,
  type SsoFixture,
  sessionCookie,
  ssoFixture,
  verify,
} from "../helpers/sso.js";

describe.each(dialects)("input at the edge on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  beforeEach(async () => {
    t = await testApp(dialect);
    f = await ssoFixture(t.app);
  });
  afterEach(async () => {
    await t.app.close();
  });

  const json = (method: "POST" | "GET" | "PUT", url: string, payload?: unknown, headers = {}) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${f.token}`, ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  it("refuses a NUL in the native API's body, path and query with problem+json 400", async () => {
    for (const response of [
      await json("POST", "/v1/sso/tickets", { user: { id: "a\u0000b" }, app: f.appId }),
      await json("POST", "/v1/sso/tickets", {
        user: { id: "u1", name: "Ada\u0000" },
        app: f.appId,
      }),
      await json("POST", "/v1/sso/tickets", {
        user: { id: "u1" },
        app: f.appId,
        partner_data: { note: { deep: "x\u0000" } },
      }),
      await json("GET", "/v1/sso/tickets/tkt%00"),
      await json("GET", "/v1/session/verify?app=a%00"),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: "invalid_request" });
      expect(response.json().detail).toMatch(/NUL character/);
    }
  });

  it("refuses control characters in identifiers, and keeps them in free text", async () => {
    const tab = await json("POST", "/v1/sso/tickets", { user: { id: "a\tb" }, app: f.appId });
    expect(tab.statusCode).toBe(400);
    expect(tab.json().detail).toBe("user.id holds a control character");
    expect((await json("GET", "/v1/sso/tickets/a%01b")).statusCode).toBe(400);
    const note = await json("POST", "/v1/sso/tickets", {
      user: { id: "u-note" },
      app: f.appId,
      partner_data: { address: "1 Main St\nSpringfield" },
    });
    expect(note.statusCode).toBe(201);
  });

  it("answers in each seed shape's own error style", async () => {
    const sparrow = await json("POST", "/v1/autho/apitoken/login/", {
      api_token: "hak_\u0000",
      partner_token: "x",
    });
    expect(sparrow.statusCode).toBe(400);
    expect(sparrow.json()).toMatchObject({ result: "11", status: "DATA_ERROR" });
    const banckle = await json("POST", "/api/authenticate", {
      email: "a\u0000@example.com",
      password: "x",
      ssokey: "hsk_x",
      product: "p",
    });
    expect(banckle.statusCode).toBe(400);
    expect(banckle.json()).toMatchObject({ stat: "fail", status_code: 400 });
    const enkash = await json(
      "POST",
      "/api/v0/partner/enKashCard/sso-token",
      { cardAccountId: "c\u0000", companyId: f.partnerId, enkashCardId: "e" },
      { partnerId: f.partnerId },
    );
    expect(enkash.statusCode).toBe(400);
    expect(enkash.json()).toMatchObject({ response_code: 1, payload: null });
    const oauth = await t.app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "grant_type=password&username=a%00&password=x&clientId=c",
    });
    expect(oauth.statusCode).toBe(400);
    expect(oauth.json()).toMatchObject({ error: "invalid_request" });
    const bluesnap = await t.app.inject({
      method: "GET",
      url: "/services/2/cp/user/u%00",
      headers: {
        authorization: `Basic ${Buffer.from(`${f.partnerId}:${f.apiToken}`).toString("base64")}`,
      },
    });
    expect(bluesnap.statusCode).toBe(400);
    const xoxoday = await json("POST", "/chef/v1/oauth/sso/stores/company", {
      user_input: { email: "a\u0000@example.com" },
      tpd: {},
    });
    expect(xoxoday.statusCode).toBe(400);
  });

  it("keeps characters outside the Basic Multilingual Plane through forward-auth headers and introspection", async () => {
    const user = { id: "fan-😀-ü", email: "😀ü@example.com", name: "Zoë 🎉" };
    const minted = await mint(t.app, f, { user });
    const cookie = sessionCookie(await redeem(t.app, minted.ticket));
    const checked = await verify(t.app, cookie);
    expect(checked.statusCode).toBe(200);
    const external = String(checked.headers["x-handoff-external-id"]);
    const email = String(checked.headers["x-handoff-email"]);
    expect(external).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(external)).toBe(user.id);
    expect(decodeURIComponent(email)).toBe(user.email);
    const introspected = await t.app.inject({
      method: "POST",
      url: "/v1/sessions/introspect",
      headers: {
        authorization: `Basic ${Buffer.from(`${f.appId}:${f.appSecret}`).toString("base64")}`,
      },
      payload: { token: cookie },
    });
    expect(introspected.json()).toMatchObject({
      active: true,
      username: user.id,
      user: { email: user.email, name: user.name },
    });
  });
});

// The path and query are checked only when the URL holds a percent-encoded control character:
// a raw one never reaches a route, since Node's HTTP parser refuses the request line.
describe("a raw control character in a request line", () => {
  it("is refused by the HTTP parser with 400 before any route", async () => {
    const t = await testApp("sqlite");
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as AddressInfo;
    try {
      for (const target of ["/v1/sso/tickets/a\u0001b", "/v1/session/verify?app=a\u0000"]) {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(port, "127.0.0.1", () => {
            socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
          });
          let seen = "";
          socket.on("data", (chunk) => {
            seen += chunk;
          });
          socket.on("end", () => resolve(seen));
          socket.on("error", reject);
        });
        expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
      }
    } finally {
      await t.app.close();
    }
  });
});
