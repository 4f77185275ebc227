// SECURITY row 42: kill -9 under load, restart: every redemption and revocation that was
// answered stays done. The server runs as its own process on a SQLite file.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./helpers/net.js";
import { demoPartner, startHandoff } from "./helpers/server.js";

describe("durability (SQLite, synchronous=FULL)", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  it("keeps every answered redemption and revocation after kill -9", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "handoff-durable-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      HANDOFF_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, "handoff.db")}`,
      HANDOFF_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
      LOG_LEVEL: "warn",
    };
    const first = await startHandoff(env);
    children.push(first);
    first.removeAllListeners("exit");
    const { demo, accessToken: access_token } = await demoPartner(base, dir);
    const auth = { authorization: `Bearer ${access_token}`, "content-type": "application/json" };
    const tickets: { id: string; ticket: string }[] = [];
    for (let i = 0; i < 150; i++) {
      const minted = await fetch(`${base}/v1/sso/tickets`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ user: { id: `u${i}` }, app: demo.app.id }),
      });
      tickets.push((await minted.json()) as { id: string; ticket: string });
    }

    // Redeem and revoke concurrently; kill the process while requests are in flight.
    const redeemed: string[] = [];
    const revoked: string[] = [];
    let killed = false;
    const work = tickets.map(async (t, i) => {
      await new Promise((r) => setTimeout(r, i * 2));
      try {
        if (i % 5 === 0) {
          const response = await fetch(`${base}/v1/sso/tickets/${t.id}`, {
            method: "DELETE",
            headers: { authorization: auth.authorization },
          });
          if (response.status === 200) revoked.push(t.id);
        } else {
          const response = await fetch(`${base}/login/${t.ticket}`, {
            method: "POST",
            redirect: "manual",
            headers: { "sec-fetch-site": "same-origin" },
          });
          if (response.status === 303) redeemed.push(t.id);
        }
      } catch {
        // the connection died with the process: the request was never answered
      }
      if (!killed && redeemed.length + revoked.length >= 60) {
        killed = true;
        first.kill("SIGKILL");
      }
    });
    await Promise.all(work);
    expect(killed).toBe(true);
    expect(redeemed.length).toBeGreaterThan(20);
    expect(revoked.length).toBeGreaterThan(5);

    const second = await startHandoff(env);
    children.push(second);
    for (const id of redeemed) {
      const status = await fetch(`${base}/v1/sso/tickets/${id}`, { headers: auth });
      expect(((await status.json()) as { status: string }).status, id).toBe("redeemed");
    }
    for (const id of revoked) {
      const status = await fetch(`${base}/v1/sso/tickets/${id}`, { headers: auth });
      expect(((await status.json()) as { status: string }).status, id).toBe("revoked");
    }
    // And a redeemed ticket cannot be used again after the restart.
    const again = tickets.find((t) => t.id === redeemed[0]);
    const replay = await fetch(`${base}/login/${again?.ticket}`, {
      method: "POST",
      redirect: "manual",
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(replay.status).toBe(410);
  });
});
