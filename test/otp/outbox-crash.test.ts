// SECURITY row 54: a crash between "code created" and "message sent", and between the message
// and the code's use, loses nothing. The server runs as its own process on a SQLite file; its
// SMS gateway is down when the code is made, the process is killed (-9), the gateway comes up,
// and the restarted server delivers the message once, whose code then signs the person in.
import type { ChildProcess } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../helpers/net.js";
import { demoPartner, sqliteServer, startHandoff } from "../helpers/server.js";
import { type SmsReceiver, startSmsGateway } from "../helpers/sms.js";

const children: ChildProcess[] = [];
let gateway: SmsReceiver | undefined;
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await gateway?.close();
});

const browser = {
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
};

it("delivers a code queued before kill -9 once after the restart, and the code works", {
  timeout: 120_000,
}, async () => {
  const gatewayPort = await freePort();
  const secret = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;
  const { dir, base, env } = await sqliteServer("handoff-outbox-", {
    HANDOFF_SMS_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/sms`,
    HANDOFF_SMS_WEBHOOK_SECRET: secret,
  });
  const first = await startHandoff(env);
  children.push(first);
  const { demo, accessToken: access_token } = await demoPartner(base, dir);
  const minted = await fetch(`${base}/v1/sso/tickets`, {
    method: "POST",
    headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
    body: JSON.stringify({
      user: { id: "crash", phone: { number: "9876543210", country_code: "+91" } },
      app: demo.app.id,
      otp: "primary_phone",
    }),
  });
  expect(minted.status).toBe(201);
  const { ticket } = (await minted.json()) as { ticket: string };
  const sent = await fetch(`${base}/login/${ticket}/otp`, {
    method: "POST",
    headers: browser,
    body: "",
    redirect: "manual",
  });
  expect(sent.status).toBe(303);
  // The gateway is down: the first try fails, and the step says so.
  await expect
    .poll(
      async () => (await (await fetch(`${base}/login/${ticket}`)).text()).includes("trying again"),
      {
        timeout: 10_000,
      },
    )
    .toBe(true);
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));

  gateway = await startSmsGateway({ port: gatewayPort, secret });
  const second = await startHandoff(env);
  children.push(second);
  // The retry is due 5 s after the failed try; the restarted worker finds it in the table.
  const code = await gateway.codeFor("+919876543210");
  // Once the step shows the message as delivered, the send is recorded and no worker takes the
  // message again: what the gateway holds then is all it will ever get.
  await expect
    .poll(
      async () => {
        const page = await (await fetch(`${base}/login/${ticket}`)).text();
        return !page.includes("trying again") && !page.includes("on its way");
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  expect(gateway.received).toHaveLength(1);
  const landed = await fetch(`${base}/login/${ticket}`, {
    method: "POST",
    headers: browser,
    body: new URLSearchParams({ code }).toString(),
    redirect: "manual",
  });
  expect(landed.status).toBe(303);
  expect(landed.headers.getSetCookie().join(";")).toContain("hss_");
});
