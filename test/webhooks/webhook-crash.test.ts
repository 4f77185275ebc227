// A kill -9 between an event's write (with the change it reports) and its delivery: after the
// restart the event is delivered, once per event id (the receiver dedupes on webhook-id, as
// docs/webhooks.md tells partners to), and nothing is invented. The server runs as its own
// process on a SQLite file; the operator registers the endpoint through the management API.
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { loadSqlite } from "../../src/db/sqlite-driver.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";
import { demoPartner, sqliteServer, startHandoff } from "../helpers/server.js";

const children: ChildProcess[] = [];
let receiver: PartnerEndpoint | undefined;
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await receiver?.close();
});

it("delivers every event written before kill -9 after the restart, once per event id", {
  timeout: 150_000,
}, async () => {
  const { dir, base, env } = await sqliteServer("handoff-webhooks-", {
    HANDOFF_OUTBOUND_ALLOW: "127.0.0.1/32",
  });
  receiver = await startPartnerEndpoint();
  receiver.answer = { status: 503, body: "" }; // down until the restart
  const first = await startHandoff(env);
  children.push(first);
  const { demo, accessToken: access_token } = await demoPartner(base, dir);
  const signIn = await fetch(`${base}/v1/manage/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: demo.operator.email, password: demo.operator.password }),
  });
  const cookie = signIn.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  const { csrf_token: csrf } = (await signIn.json()) as { csrf_token: string };
  const created = await fetch(`${base}/v1/manage/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf, origin: base },
    body: JSON.stringify({ url: `${receiver.url}/events`, events: ["user.created"] }),
  });
  expect(created.status).toBe(201);
  receiver.secret = ((await created.json()) as { secret: string }).secret;
  for (let i = 0; i < 10; i++) {
    const minted = await fetch(`${base}/v1/sso/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ user: { id: `crash-${i}` }, app: demo.app.id }),
    });
    expect(minted.status).toBe(201);
  }
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  // Every event was written with its change, before any delivery: ten in the file after the kill.
  const file = new (loadSqlite())(join(dir, "handoff.db"), { readonly: true });
  const written = file.prepare("select count(*) as n from webhook_events").get() as { n: number };
  file.close();
  expect(written.n).toBe(10);

  receiver.answer = { status: 204, body: "" };
  const second = await startHandoff(env);
  children.push(second);
  // The failed first tries are due 5 s later (10, 20, 40 s after a second, third or fourth
  // failure, when a slow machine let the first process try more than once); the restarted worker
  // finds them in the table.
  const delivered = () =>
    new Set(
      receiver?.calls
        .filter((c) => c.verified && c.body !== null)
        .map((c) => c.headers["webhook-id"]),
    );
  await expect.poll(() => delivered().size, { timeout: 90_000, interval: 250 }).toBe(10);
  const users = receiver.calls
    .filter((c) => c.verified)
    .map((c) => (c.body as { data: { user_id: string } }).data.user_id);
  expect(new Set(users).size).toBe(10);
  second.kill("SIGINT");
});
