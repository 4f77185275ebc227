// Shared steps of the SSO tests: a partner with an access token, an app, minting and redeeming.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { NewApp } from "../../src/apps/service.js";
import { accessTokenFor, domainsOf, makePartner, type PartnerFixture } from "./app.js";

export interface SsoFixture extends PartnerFixture {
  token: string;
  appId: string;
  appSecret: string;
}

export async function ssoFixture(
  app: FastifyInstance,
  appOptions: Partial<NewApp> = {},
  partnerName = "Acme Rewards",
): Promise<SsoFixture> {
  const partner = await makePartner(app, partnerName);
  const token = await accessTokenFor(app, partner);
  const created = await domainsOf(app).apps.create({
    name: "Storefront",
    baseUrl: "https://shop.example/store",
    returnPaths: ["/", "/orders"],
    ...appOptions,
  });
  const appSecret = await domainsOf(app).apps.rotateSecret(created.id);
  return { ...partner, token, appId: created.id, appSecret };
}

export interface Minted {
  id: string;
  ticket: string;
  login_url: string;
  expires_at: string;
  user_id: string;
}

export function mintRequest(
  app: FastifyInstance,
  token: string,
  body: Record<string, unknown>,
  options: { remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: "/v1/sso/tickets",
    headers: { authorization: `Bearer ${token}` },
    payload: body,
    ...options,
  });
}

export async function mint(
  app: FastifyInstance,
  fixture: SsoFixture,
  body: Record<string, unknown> = {},
): Promise<Minted> {
  const response = await mintRequest(app, fixture.token, {
    user: { id: "user-1", email: "ada@example.com", name: "Ada" },
    app: fixture.appId,
    ...body,
  });
  if (response.statusCode !== 201) throw new Error(`mint failed: ${response.body}`);
  return response.json<Minted>();
}

export function redeem(
  app: FastifyInstance,
  ticket: string,
  options: { cookie?: string; remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/login/${ticket}`,
    headers: {
      "sec-fetch-site": "same-origin",
      ...(options.cookie ? { cookie: `handoff_session=${options.cookie}` } : {}),
      ...options.headers,
    },
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** The session cookie a redemption set. */
export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === "handoff_session");
  if (!cookie) throw new Error(`no session cookie: ${response.statusCode} ${response.body}`);
  return cookie.value;
}

export function verify(app: FastifyInstance, cookie: string | null, query = "") {
  return app.inject({
    method: "GET",
    url: `/v1/session/verify${query}`,
    headers: cookie ? { cookie: `handoff_session=${cookie}` } : {},
  });
}

export async function ticketStatus(app: FastifyInstance, fixture: SsoFixture, id: string) {
  const response = await app.inject({
    method: "GET",
    url: `/v1/sso/tickets/${id}`,
    headers: { authorization: `Bearer ${fixture.token}` },
  });
  return response.json<{ status: string; reason: string | null; last_failure: unknown }>();
}
