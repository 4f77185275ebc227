// Signing in to the console in tests: the cookie, the CSRF token, and requests that carry both.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";

export const PASSWORD = "correct horse battery";
export const COOKIE = "handoff_console";

/** A signed-in console user: their cookie and CSRF token, and a request helper that sends both. */
export interface ConsoleUser {
  cookie: string;
  csrf: string;
  id: string;
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export async function signInConsole(
  app: FastifyInstance,
  login: string,
  partnerId?: string,
): Promise<ConsoleUser> {
  const response = await app.inject({
    method: "POST",
    url: "/v1/manage/sign-in",
    payload: { login, password: PASSWORD, ...(partnerId ? { partner_id: partnerId } : {}) },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === COOKIE)?.value as string;
  const { csrf_token: csrf, viewer } = response.json<{
    csrf_token: string;
    viewer: { id: string };
  }>();
  return {
    cookie,
    csrf,
    id: viewer.id,
    call: (options) =>
      app.inject({
        ...options,
        cookies: { [COOKIE]: cookie },
        headers: { "x-csrf-token": csrf, ...(options.headers ?? {}) },
      }),
  };
}
