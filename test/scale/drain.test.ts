// Issue 25: a graceful stop. On SIGTERM a node stops being ready at once (/readyz 503, so the
// balancer sends no more), keeps serving for HANDOFF_DRAIN_SECONDS (requests already routed to
// it still succeed), then finishes what is in flight and exits 0.
import type { ChildProcess } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { demoPartner, sqliteServer, startHandoff } from "../helpers/server.js";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

it("drains on SIGTERM: not ready, still serving, then exits cleanly", {
  timeout: 60_000,
}, async () => {
  const { dir, base, env } = await sqliteServer("handoff-drain-", { HANDOFF_DRAIN_SECONDS: "2" });
  const node = await startHandoff(env);
  children.push(node);
  const { accessToken } = await demoPartner(base, dir);
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  const exited = new Promise<number | null>((resolve) => node.once("exit", resolve));
  const stoppedAt = Date.now();
  node.kill("SIGTERM");
  await expect.poll(async () => (await fetch(`${base}/readyz`)).status).toBe(503);
  const ready = await fetch(`${base}/readyz`);
  expect(await ready.json()).toEqual({ status: "draining" });
  // Still alive and serving what the balancer sent before it noticed.
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const partner = await fetch(`${base}/v1/partner`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(partner.status).toBe(200);
  expect(await exited).toBe(0);
  expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2000);
});
