// The console's HTTP guard, shared by the management API and the console's pages: the console
// cookie, the session behind it, the same-origin proof and the CSRF token every change carries.
import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../../config.js";
import { clientIp } from "../../http/client-ip.js";
import { sameOrigin } from "../../http/cross-site.js";
import { HandoffError } from "../../http/errors.js";
import { accountKey } from "../../http/failures.js";
import type { ConsoleDeps } from "../deps.js";
import type { Acting } from "../management.js";
import type { ConsoleSession } from "./service.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth">;

/** `__Host-handoff-console` over https (Secure, Path=/, no Domain); `handoff_console` on http. */
export function consoleCookieName(config: Pick<Config, "baseUrl">): string {
  return config.baseUrl.startsWith("https:") ? "__Host-handoff-console" : "handoff_console";
}

export function consoleCookieOptions(config: Pick<Config, "baseUrl">): CookieSerializeOptions {
  return {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.baseUrl.startsWith("https:"),
  };
}

export function setConsoleCookie(services: Deps, reply: FastifyReply, token: string): void {
  reply.setCookie(consoleCookieName(services.config), token, consoleCookieOptions(services.config));
}

export function clearConsoleCookie(services: Deps, reply: FastifyReply): void {
  reply.clearCookie(consoleCookieName(services.config), consoleCookieOptions(services.config));
}

/** The request's console session, or null. */
export function consoleSession(services: Deps, request: FastifyRequest) {
  return services.consoleAuth.check(request.cookies[consoleCookieName(services.config)]);
}

/**
 * The signed-in person, for a read: no_console_session when there is none, and
 * second_factor_required while the session owes a TOTP code or an enrolment (unless `owing` is
 * allowed: the steps that pay it, sign-out, and who-am-I).
 */
export async function requireConsole(
  services: Deps,
  request: FastifyRequest,
  options: { owing?: boolean } = {},
): Promise<ConsoleSession> {
  const session = await consoleSession(services, request);
  if (!session) throw new HandoffError("no_console_session");
  if (session.pending && !options.owing) throw new HandoffError("second_factor_required");
  return session;
}

/**
 * The signed-in person, for a change: the session, a same-origin request and its CSRF token (the
 * `x-csrf-token` header, or a `csrf` form field on the pages).
 */
export async function requireConsoleChange(
  services: Deps,
  request: FastifyRequest,
  presented?: unknown,
  options: { owing?: boolean } = {},
): Promise<Acting & { session: ConsoleSession }> {
  const session = await requireConsole(services, request, options);
  const token = presented ?? request.headers["x-csrf-token"];
  if (
    !sameOrigin(request, services.config.baseUrl) ||
    !services.consoleAuth.csrfMatches(session, token)
  ) {
    throw new HandoffError("csrf_failed");
  }
  return { session, viewer: session.viewer, ip: clientIp(request) };
}

/**
 * Signs in with a password; shared by the API and the sign-in page. A password hash is costly:
 * failures are counted per address and login, and past the allowance the next try of that login
 * from that address is refused before any hash, while other people behind the address go on.
 */
export async function signIn(
  services: Pick<ConsoleDeps, "config" | "consoleAuth" | "consoleFailures">,
  request: Parameters<typeof clientIp>[0],
  input: { login: string; password: string; partnerId?: string | undefined },
): Promise<{ token: string; session: ConsoleSession }> {
  // A sign-in form posted from another site would sign the victim in to the attacker's account.
  if (!sameOrigin(request, services.config.baseUrl)) throw new HandoffError("csrf_failed");
  const key = accountKey(clientIp(request), input.partnerId ?? "", input.login.toLowerCase());
  await services.consoleFailures.check(key);
  try {
    const signedIn = await services.consoleAuth.signIn(input);
    // The session this browser had before, if any, ends: one person, one current session.
    const previous = await consoleSession(services, request);
    if (previous) await services.consoleAuth.signOut(previous.id);
    return signedIn;
  } catch (error) {
    if (error instanceof HandoffError) await services.consoleFailures.fail(key, request.log);
    throw error;
  }
}
