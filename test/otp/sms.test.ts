// One-time codes by SMS (seed 002's `primary_phone`), through both senders: the platform's own
// gateway, which verifies each webhook's Standard Webhooks signature, and Twilio's Messages API
// shape. A failed delivery is retried under the same webhook-id; a mint names what is missing.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { dialects, domainsOf, type TestApp, testApp } from "../helpers/app.js";
import { type SmsReceiver, startSmsGateway, startTwilio, TWILIO } from "../helpers/sms.js";
import { mintRequest, type SsoFixture, sessionCookie, ssoFixture } from "../helpers/sso.js";

const browser = {
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
};
const phoneUser = { id: "u-phone", phone: { number: "9876543210", country_code: "+91" } };
const E164 = "+919876543210";

let gateway: SmsReceiver & { secret: string };
let twilio: SmsReceiver;
beforeAll(async () => {
  gateway = await startSmsGateway();
  twilio = await startTwilio();
});
afterAll(async () => {
  await gateway.close();
  await twilio.close();
});

async function signIn(t: TestApp, f: SsoFixture, receiver: SmsReceiver) {
  const minted = await mintRequest(t.app, f.token, {
    user: phoneUser,
    app: f.appId,
    otp: "primary_phone",
  });
  expect(minted.statusCode).toBe(201);
  const ticket = minted.json().ticket as string;
  const before = receiver.received.length;
  const page = await t.app.inject({ method: "GET", url: `/login/${ticket}` });
  expect(page.body).toContain("+91 ••••••3210");
  expect(page.body).not.toContain("9876543210");
  // A GET sends nothing: it queues no message (a send is queued in the request that asks).
  expect(await t.database.read.selectFrom("outbox").select("id").execute()).toEqual([]);
  expect(receiver.received.length).toBe(before);
  const sent = await t.app.inject({
    method: "POST",
    url: `/login/${ticket}/otp`,
    headers: browser,
    payload: "",
  });
  expect(sent.statusCode).toBe(303);
  const code = await receiver.codeFor(E164, before);
  const landed = await t.app.inject({
    method: "POST",
    url: `/login/${ticket}`,
    headers: browser,
    payload: new URLSearchParams({ code }).toString(),
  });
  expect(landed.statusCode).toBe(303);
  const session = await t.database.read
    .selectFrom("sessions")
    .select("otp_mode")
    .executeTakeFirstOrThrow();
  expect(session.otp_mode).toBe("primary_phone");
  return { ticket, cookie: sessionCookie(landed), code };
}

describe.each(dialects)("one-time codes by SMS on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  afterEach(async () => {
    await t.app.close();
  });

  describe("through the platform's gateway", () => {
    beforeEach(async () => {
      t = await testApp(dialect, {
        sms: { kind: "webhook", url: gateway.url, secret: gateway.secret },
      });
      f = await ssoFixture(t.app);
    });

    it("sends the code in a signed webhook, and the right code starts the session", async () => {
      const { code } = await signIn(t, f, gateway);
      const message = gateway.received.at(-1);
      expect(message?.to).toBe(E164);
      expect(message?.text).toContain(code);
      expect(message?.id).toMatch(/^msg_/);
      // The code is nowhere in the database in the clear, nor in the logs.
      const rows = JSON.stringify(await t.database.read.selectFrom("outbox").selectAll().execute());
      expect(rows).not.toContain(code);
      expect(t.logs.join("\n")).not.toContain(code);
    });

    it("retries a failed delivery later under the same webhook-id, and shows the failure meanwhile", async () => {
      const minted = await mintRequest(t.app, f.token, {
        user: phoneUser,
        app: f.appId,
        otp: "primary_phone",
      });
      const ticket = minted.json().ticket as string;
      gateway.failNext(1);
      const refusedBefore = gateway.refused;
      const before = gateway.received.length;
      await t.app.inject({
        method: "POST",
        url: `/login/${ticket}/otp`,
        headers: browser,
        payload: "",
      });
      for (let i = 0; i < 100 && gateway.refused === refusedBefore; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const row = await t.database.read.selectFrom("outbox").selectAll().executeTakeFirstOrThrow();
      await expect
        .poll(
          async () =>
            (
              await t.database.read
                .selectFrom("outbox")
                .select("attempts")
                .executeTakeFirstOrThrow()
            ).attempts,
        )
        .toBe(1);
      const failed = await t.database.read
        .selectFrom("outbox")
        .select("last_error")
        .executeTakeFirstOrThrow();
      expect(failed.last_error).toBe("the SMS gateway answered 500");
      expect(gateway.received.length).toBe(before);
      const page = await t.app.inject({ method: "GET", url: `/login/${ticket}` });
      expect(page.body).toContain("could not be delivered yet; Handoff is trying again");
      // Five seconds later the worker tries again, with the same id: a receiver can dedupe.
      t.clock.advance(5_000);
      domainsOf(t.app).delivery.nudge();
      const code = await gateway.codeFor(E164, before);
      expect(code).toMatch(/^[0-9]{6}$/);
      expect(gateway.received.at(-1)?.id).toBe(row.id);
    });
  });

  describe("through Twilio's Messages API", () => {
    beforeEach(async () => {
      t = await testApp(dialect, {
        sms: { kind: "twilio", ...TWILIO, baseUrl: twilio.url },
      });
      f = await ssoFixture(t.app);
    });

    it("posts To, From and Body with the account's credentials", async () => {
      const { code } = await signIn(t, f, twilio);
      expect(twilio.received.at(-1)).toMatchObject({ to: E164, from: TWILIO.from });
      expect(twilio.received.at(-1)?.text).toContain(code);
    });

    it("refuses at mint a user without a reachable number", async () => {
      const none = await mintRequest(t.app, f.token, {
        user: { id: "u-none" },
        app: f.appId,
        otp: "primary_phone",
      });
      expect(none.statusCode).toBe(400);
      expect(none.json().detail).toContain("needs the user's phone number");
      const short = await mintRequest(t.app, f.token, {
        user: { id: "u-short", phone: { number: "123", country_code: "+91" } },
        app: f.appId,
        otp: "primary_phone",
      });
      expect(short.statusCode).toBe(400);
    });
  });
});

describe("SMS configuration", () => {
  const base = { HANDOFF_SECRET_KEY: Buffer.alloc(32, 7).toString("base64") };
  const secret = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
  const fails = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
    } catch (error) {
      return error instanceof ConfigError ? error.message : String(error);
    }
    return null;
  };

  it("takes a gateway or Twilio, and refuses what would not work", () => {
    expect(
      loadConfig({
        ...base,
        HANDOFF_SMS_WEBHOOK_URL: "https://sms.example.com/send",
        HANDOFF_SMS_WEBHOOK_SECRET: secret,
      }).sms,
    ).toEqual({
      kind: "webhook",
      url: "https://sms.example.com/send",
      secret,
    });
    expect(
      loadConfig({
        ...base,
        HANDOFF_TWILIO_ACCOUNT_SID: TWILIO.accountSid,
        HANDOFF_TWILIO_AUTH_TOKEN: "t",
        HANDOFF_TWILIO_FROM: "+15005550006",
      }).sms,
    ).toMatchObject({ kind: "twilio", baseUrl: "https://api.twilio.com" });
    expect(
      fails({
        HANDOFF_SMS_WEBHOOK_URL: "https://sms.example.com",
        HANDOFF_SMS_WEBHOOK_SECRET: "short",
      }),
    ).toContain("HANDOFF_SMS_WEBHOOK_SECRET");
    expect(
      fails({
        HANDOFF_SMS_WEBHOOK_URL: "http://sms.example.com",
        HANDOFF_SMS_WEBHOOK_SECRET: secret,
      }),
    ).toContain("https://");
    expect(
      fails({ HANDOFF_TWILIO_ACCOUNT_SID: TWILIO.accountSid, HANDOFF_TWILIO_FROM: "+15005550006" }),
    ).toContain("HANDOFF_TWILIO_AUTH_TOKEN");
    expect(
      fails({
        HANDOFF_SMS_WEBHOOK_URL: "https://sms.example.com",
        HANDOFF_SMS_WEBHOOK_SECRET: secret,
        HANDOFF_TWILIO_ACCOUNT_SID: "AC1",
      }),
    ).toContain("choose one");
  });
});
