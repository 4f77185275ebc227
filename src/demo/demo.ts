// The demo on first start: an operator, a partner with every credential, a sub-account, an app.
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AppService } from "../apps/service.js";
import type { Config } from "../config.js";
import type { OperatorService } from "../operators/service.js";
import type { PartnerService } from "../partners/service.js";
import type { PartnerUserService } from "../partners/users.js";
import type { TicketService } from "../tickets/service.js";
import { loginUrl } from "../tickets/service.js";

export interface DemoCredentials {
  base_url: string;
  operator: { email: string; password: string };
  partner: { id: string; name: string; partner_token: string; api_token: string; sso_key: string };
  sub_account: { id: string; name: string };
  /** A person at the partner, for seed 000's password grant (`POST /oauth/token`). */
  partner_user: { username: string; password: string };
  app: { id: string; name: string; url: string; app_secret: string };
  /** A login link for the demo user, good for an hour from first start. */
  login_link: { url: string; expires_at: string; user: string };
  /** examples/storefront as an OIDC client (`app` is the app id to mint tickets for). */
  oidc_client: {
    client_id: string;
    client_secret: string;
    redirect_uri: string;
    app: string;
    issuer: string;
    /** A login link into the storefront (run `npm run storefront` first), good for an hour. */
    login_link: string;
  };
}

/** What the demo is made with. */
export interface DemoDeps {
  apps: AppService;
  config: Config;
  operators: OperatorService;
  partnerUsers: PartnerUserService;
  partners: PartnerService;
  tickets: TicketService;
}

export const DEMO_FILE = "demo-credentials.json";

/** Where the demo app lives: served by Handoff itself (src/demo/app-page.ts). */
export function demoAppUrl(baseUrl: string): string {
  return `${baseUrl}/demo/app`;
}

async function databaseEmpty(services: Pick<DemoDeps, "partners" | "operators">): Promise<boolean> {
  return (await services.partners.list()).length === 0 && (await services.operators.count()) === 0;
}

/**
 * Whether this process serves the demo app's page: when the demo is not turned off and it exists
 * or will be created (asked for, or the database is empty). A production deployment
 * (HANDOFF_DEMO=0, or a database without the demo) serves no /demo routes.
 */
export async function demoServed(
  services: Pick<DemoDeps, "config" | "partners" | "operators" | "apps">,
): Promise<boolean> {
  const { config } = services;
  if (config.demo === false) return false;
  if (config.demo === true || (await databaseEmpty(services))) return true;
  const url = demoAppUrl(config.baseUrl);
  return (await services.apps.list()).some((app) => app.baseUrl === url);
}

/**
 * Creates the demo when asked (HANDOFF_DEMO=1) or when the database is empty and the demo is
 * not turned off (HANDOFF_DEMO=0). Returns null when nothing was created.
 */
export async function ensureDemo(services: DemoDeps): Promise<DemoCredentials | null> {
  const { config } = services;
  if (config.demo === false) return null;
  if (config.demo !== true && !(await databaseEmpty(services))) return null;

  const operatorPassword = randomBytes(15).toString("base64url");
  const operator = await services.operators.create(
    `operator-${randomBytes(3).toString("hex")}@handoff.example`,
    operatorPassword,
  );
  const { partner, partnerToken } = await services.partners.create({ name: "Demo Partner" });
  const { token: apiToken } = await services.partners.createApiToken(partner.id, { name: "demo" });
  const ssoKey = await services.partners.rotateSsoKey(partner.id);
  const partnerUserPassword = randomBytes(15).toString("base64url");
  const partnerUser = await services.partnerUsers.create(
    partner.id,
    "owner@demo-partner.example",
    partnerUserPassword,
  );
  const sub = await services.partners.create({ name: "Demo Sub-account" });
  await services.partners.link(partner.id, sub.partner.id);
  const app = await services.apps.create({
    name: "Demo Storefront",
    baseUrl: demoAppUrl(config.baseUrl),
    returnPaths: ["/"],
    products: ["accounts", "storefront", "portal", "rewards"],
    // Xoxoday's links last 14 days by default (seed 002); the app allows that much.
    ticketTtlMax: 14 * 24 * 3600,
  });
  const appSecret = await services.apps.rotateSecret(app.id);
  /** A login link for the demo user into `appId`, good for an hour. */
  const demoLink = (appId: string) =>
    services.tickets.mint({
      partnerId: partner.id,
      apiTokenId: null,
      user: { id: "demo-user-1", email: "ada@demo.example", name: "Ada Lovelace" },
      appId,
      ttlSeconds: 3600,
      ip: "127.0.0.1",
    });
  const link = await demoLink(app.id);
  const storefrontUrl = config.demoStorefrontUrl;
  const storefront = await services.apps.create({
    name: "Storefront example (OIDC)",
    baseUrl: storefrontUrl,
    returnPaths: ["/"],
    redirectUris: [`${storefrontUrl}/callback`],
    postLogoutRedirectUris: [`${storefrontUrl}/signed-out`],
    refreshTokens: true,
  });
  const storefrontSecret = await services.apps.rotateSecret(storefront.id);
  const storefrontLink = await demoLink(storefront.id);
  return {
    base_url: config.baseUrl,
    operator: { email: operator.email, password: operatorPassword },
    partner: {
      id: partner.id,
      name: partner.name,
      partner_token: partnerToken,
      api_token: apiToken,
      sso_key: ssoKey,
    },
    sub_account: { id: sub.partner.id, name: sub.partner.name },
    partner_user: { username: partnerUser.login, password: partnerUserPassword },
    app: { id: app.id, name: app.name, url: app.baseUrl, app_secret: appSecret },
    login_link: {
      url: loginUrl(config.baseUrl, link.ticket),
      expires_at: new Date(link.expiresAt).toISOString(),
      user: "demo-user-1",
    },
    oidc_client: {
      client_id: storefront.id,
      client_secret: storefrontSecret,
      redirect_uri: `${storefrontUrl}/callback`,
      app: storefront.id,
      issuer: `${config.baseUrl}/oidc`,
      login_link: loginUrl(config.baseUrl, storefrontLink.ticket),
    },
  };
}

/** Writes the credentials to $HANDOFF_DATA_DIR/demo-credentials.json, mode 0600, atomically. */
export function writeDemoFile(dataDir: string, credentials: DemoCredentials): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DEMO_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

/** What a newcomer reads on the terminal. */
export function describeDemo(credentials: DemoCredentials, file: string): string {
  const c = credentials;
  return [
    "",
    "Handoff demo is ready (credentials are shown once here and kept in the file below):",
    `  console          ${c.base_url}/console`,
    `  operator login   ${c.operator.email} / ${c.operator.password}`,
    `  partner admin    ${c.partner_user.username} / ${c.partner_user.password} (Partner ID ${c.partner.id})`,
    `  partner          ${c.partner.id} (${c.partner.name})`,
    `  partner token    ${c.partner.partner_token}`,
    `  API token        ${c.partner.api_token}`,
    `  SSO key          ${c.partner.sso_key}`,
    `  sub-account      ${c.sub_account.id} (${c.sub_account.name})`,
    `  app              ${c.app.id} (${c.app.name}) at ${c.app.url}`,
    `  app secret       ${c.app.app_secret}`,
    `  file             ${file}`,
    "",
    "Try the token exchange:",
    `  curl -s ${c.base_url}/v1/auth/token -H 'content-type: application/json' \\`,
    `    -d '{"partner_token":"${c.partner.partner_token}","api_token":"${c.partner.api_token}"}'`,
    "",
    "Then mint a login link with the access_token it returns:",
    `  curl -s ${c.base_url}/v1/sso/tickets -H 'content-type: application/json' \\`,
    `    -H "authorization: Bearer $ACCESS_TOKEN" \\`,
    `    -d '{"user":{"id":"demo-user-1","email":"ada@demo.example","name":"Ada Lovelace"},"app":"${c.app.id}"}'`,
    "",
    `Or open this login link now (single use, until ${c.login_link.expires_at}):`,
    `  ${c.login_link.url}`,
    "",
    "OpenID Connect: examples/storefront is registered as a client",
    `  issuer ${c.oidc_client.issuer}, client id ${c.oidc_client.client_id}, redirect URI ${c.oidc_client.redirect_uri}`,
    "Start it with `npm run storefront` in another terminal, then open its login link (single use):",
    `  ${c.oidc_client.login_link}`,
    "",
  ].join("\n");
}
