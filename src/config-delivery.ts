// Config of outbound delivery: the SMTP server, the SMS sender, and the outbound address allowance.

import { ConfigError, type Env } from "./config-parse.js";
import { parseCidrs } from "./http/cidr.js";

/** Who sends one-time codes by SMS: a Standard Webhooks endpoint, or Twilio. */
export type SmsConfig =
  | { kind: "webhook"; url: string; secret: string }
  | { kind: "twilio"; accountSid: string; authToken: string; from: string; baseUrl: string };

/** The SMTP server's URL (smtp:// or smtps://); null: no mail. */
export function smtpUrl(env: Env): string | null {
  const value = env.HANDOFF_SMTP_URL?.trim();
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError("HANDOFF_SMTP_URL", "is not a URL (smtp://user:pass@host:587)");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new ConfigError("HANDOFF_SMTP_URL", "must start with smtp:// or smtps://");
  }
  return value;
}

/** An https URL, or http to this machine (a gateway beside Handoff, a test). */
function outboundUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, "is not a URL");
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(name, "must be an https:// URL (http:// only to this machine)");
  }
  return value;
}

/** The SMS sender: the webhook or Twilio variables, never both; null when neither is set. */
export function smsConfig(env: Env): SmsConfig | null {
  const webhook = env.HANDOFF_SMS_WEBHOOK_URL?.trim();
  const sid = env.HANDOFF_TWILIO_ACCOUNT_SID?.trim();
  if (webhook && sid) {
    throw new ConfigError(
      "HANDOFF_SMS_WEBHOOK_URL",
      "and HANDOFF_TWILIO_ACCOUNT_SID are both set; choose one SMS sender",
    );
  }
  if (webhook) {
    const secret = env.HANDOFF_SMS_WEBHOOK_SECRET?.trim() ?? "";
    // Standard Webhooks secrets: base64 of at least 24 random bytes, usually prefixed whsec_.
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    if (key.length < 24 || !/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
      throw new ConfigError(
        "HANDOFF_SMS_WEBHOOK_SECRET",
        "must be a Standard Webhooks secret (whsec_ and the base64 of 24 to 64 random bytes)",
      );
    }
    return { kind: "webhook", url: outboundUrl("HANDOFF_SMS_WEBHOOK_URL", webhook), secret };
  }
  if (sid) {
    const authToken = env.HANDOFF_TWILIO_AUTH_TOKEN?.trim();
    const from = env.HANDOFF_TWILIO_FROM?.trim();
    if (!authToken) throw new ConfigError("HANDOFF_TWILIO_AUTH_TOKEN", "is needed with a SID");
    if (!from) {
      throw new ConfigError("HANDOFF_TWILIO_FROM", "is needed: a number (+…) or a MG… service SID");
    }
    const baseUrl = outboundUrl(
      "HANDOFF_TWILIO_BASE_URL",
      env.HANDOFF_TWILIO_BASE_URL?.trim() || "https://api.twilio.com",
    );
    return { kind: "twilio", accountSid: sid, authToken, from, baseUrl };
  }
  return null;
}

/** HANDOFF_OUTBOUND_ALLOW: the extra CIDRs partners' endpoints may resolve to. */
export function outboundAllow(env: Env): string[] {
  const list = (env.HANDOFF_OUTBOUND_ALLOW ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    parseCidrs(list);
  } catch {
    throw new ConfigError("HANDOFF_OUTBOUND_ALLOW", "must be comma-separated CIDRs (127.0.0.1/32)");
  }
  return list;
}
