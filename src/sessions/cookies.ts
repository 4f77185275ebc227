// The session cookie: `__Host-handoff` (Secure, no Domain, Path=/) when Handoff is served over
// https; `handoff_session` on plain http (development), where browsers refuse `__Host-`.
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { Config } from "../config.js";

export function sessionCookieName(config: Pick<Config, "baseUrl">): string {
  return config.baseUrl.startsWith("https:") ? "__Host-handoff" : "handoff_session";
}

export function sessionCookieOptions(
  config: Pick<Config, "baseUrl">,
  maxAgeSeconds?: number,
): CookieSerializeOptions {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.baseUrl.startsWith("https:"),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}
