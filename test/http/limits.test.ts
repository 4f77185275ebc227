// Limits on volume (issue 15 item 6): a partner's mints per minute, a user's unused login links,
// open connections, and how long a request may take to arrive.
import { connect, type Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dialects, type TestApp, testApp, testDatabase } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";
import { mint, mintRequest, redeem, ssoFixture } from "../helpers/sso.js";

describe.each(dialects)("mint limits on %s", (dialect) => {
  let t: TestApp;
  // The file's shared PGlite starts here, under the hook's longer time limit, not in a test.
  beforeAll(async () => {
    await testDatabase(dialect);
  });
  afterEach(async () => {
    await t.app.close();
  });

  it("refuses a partner's mints past its minute's allowance with 429 and Retry-After, others unaffected", async () => {
    t = await testApp(dialect, { mintsPerMinute: 3 });
    const f = await ssoFixture(t.app);
    const other = await ssoFixture(t.app, {}, "Other Partner");
    for (let i = 0; i < 3; i++) await mint(t.app, f, { user: { id: `u${i}` } });
    const refused = await mintRequest(t.app, f.token, { user: { id: "u9" }, app: f.appId });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: "quota_exceeded" });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    await mint(t.app, other, { user: { id: "u9" } });
  });

  it("refuses a user's login link past the unused ones it may hold, until one is used", async () => {
    t = await testApp(dialect, { ticketsPerUser: 2 });
    const f = await ssoFixture(t.app);
    const first = await mint(t.app, f);
    await mint(t.app, f);
    const refused = await mintRequest(t.app, f.token, { user: { id: "user-1" }, app: f.appId });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: "quota_exceeded" });
    // Retry-After: until the first of them expires (the app's default TTL, 300 s).
    expect(Number(refused.headers["retry-after"])).toBe(300);
    await mint(t.app, f, { user: { id: "someone-else" } });
    expect((await redeem(t.app, first.ticket)).statusCode).toBe(303);
    await mint(t.app, f);
    // Expired ones do not count.
    t.clock.advance(301_000);
    await mint(t.app, f);
    await mint(t.app, f);
  });
});

describe("connection limits", () => {
  let t: TestApp;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await t.app.close();
  });

  const open = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(socket));
      socket.on("error", reject);
      sockets.push(socket);
    });
  const closed = (socket: Socket) =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed) resolve(true);
      socket.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });

  it("closes connections past HANDOFF_MAX_CONNECTIONS at once", async () => {
    t = await testApp("sqlite", { maxConnections: 3 });
    const port = await freePort();
    await t.app.listen({ port, host: "127.0.0.1" });
    const held = [await open(port), await open(port), await open(port)];
    const extra = await open(port);
    expect(await closed(extra)).toBe(true);
    expect(held.every((s) => !s.destroyed)).toBe(true);
    // A slot freed is a slot for the next client.
    held[0]?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it("drops a request whose body does not arrive in time", async () => {
    t = await testApp("sqlite", { requestTimeoutSeconds: 1 });
    const port = await freePort();
    await t.app.listen({ port, host: "127.0.0.1" });
    const socket = await open(port);
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.write(
      "POST /v1/auth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
    );
    expect(await closed(socket)).toBe(true);
    expect(answer).toMatch(/^HTTP\/1.1 408/);
  });
});
