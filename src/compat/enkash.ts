// Seed 000 (Enkash): POST /api/v0/partner/enKashCard/sso-token mints a login link for a card
// holder, answered in the vendor's envelope; the link, /sso/{ssoToken}/{view}/{partner}, lands on
// the employee or the admin page of the rewards app. A thin adapter (docs/compat/enkash.md).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppService } from "../apps/service.js";
import { requirePartner } from "../auth/guard.js";
import type { RefreshTokenService } from "../auth/refresh.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { basicCredentials } from "../http/basic.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError, OAuthError, type OAuthErrorCode } from "../http/errors.js";
import { accountKey, type FailureLimiter } from "../http/failures.js";
import { envelopeErrorHandler } from "../http/problem.js";
import type { OtpService } from "../otp/service.js";
import type { PartnerUserService } from "../partners/users.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";

/** What this module uses. */
export interface EnkashDeps {
  apps: AppService;
  auth: AuthService;
  clock: Clock;
  config: Config;
  exchangeFailures: FailureLimiter;
  otp: OtpService;
  partnerUsers: PartnerUserService;
  refreshTokens: RefreshTokenService;
  sessions: SessionService;
  tickets: TicketService;
}

import { loginPage } from "../tickets/link-page.js";

/** The app the links land in: the one registered under this product name. */
export const ENKASH_PRODUCT = "rewards";
/** The vendor's two views of one token, and the app pages they land on. */
export const ENKASH_VIEWS = {
  employee_rewards: "/employee_rewards",
  reward_account: "/reward_account",
} as const;

/** `{response_code: 1, response_message}` for every failure (docs/compat/enkash.md). */
const sendEnkashError = envelopeErrorHandler((error) => ({
  response_code: 1,
  response_message: error.message,
  payload: null,
}));

const tags = ["compat: Enkash"];
const id = Type.String({ minLength: 1, maxLength: 128 });

function sendOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof OAuthError) {
    if (error.status === 401) reply.header("www-authenticate", 'Basic realm="handoff"');
    return reply
      .status(error.status)
      .send({ error: error.error, error_description: error.description });
  }
  return sendOtherOAuthError(error, request, reply);
}

const sendOtherOAuthError = envelopeErrorHandler((error) => ({
  error: (error.code === "rate_limited"
    ? "temporarily_unavailable"
    : error.status >= 500
      ? "server_error"
      : "invalid_request") satisfies OAuthErrorCode,
  error_description: error.message,
}));

const BAD_CREDENTIALS =
  "Bad credentials, or the user is locked after three wrong passwords in a row";

/** A grant of the token endpoint: the partner user and account it is for, and its refresh token. */
interface EnkashGrant {
  grant: { partnerUserId: string; accountId: string };
  refreshToken: string;
}

/** A required text field of the token endpoint's form. */
function formText(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  if (typeof value !== "string" || value === "" || value.length > 1024) {
    throw new OAuthError("invalid_request", `${name} is required`);
  }
  return value;
}

/** Client authentication: Basic base64(partner id:partner token), for an active partner. */
async function authenticatePartnerClient(
  services: EnkashDeps,
  request: FastifyRequest,
  ip: string,
): Promise<{ partnerId: string; partnerTokenId: string }> {
  const basic = basicCredentials(request.headers.authorization);
  const partnerId = basic?.user ?? "";
  const partnerTokenId = basic
    ? await services.auth.partnerTokenFor(partnerId, basic.password)
    : null;
  if (!partnerTokenId) {
    await services.exchangeFailures.fail(ip, request.log);
    throw new OAuthError("invalid_client", "Basic partner id:partner token is wrong");
  }
  if (!(await services.auth.standing(partnerId, partnerId))) {
    throw new OAuthError("invalid_grant", "the partner account is not active");
  }
  return { partnerId, partnerTokenId };
}

/** The password grant: a partner user's name and password, for the partner or a linked company. */
async function passwordGrant(
  services: EnkashDeps,
  request: FastifyRequest,
  ip: string,
  client: { partnerId: string; partnerTokenId: string },
  text: (name: string) => string,
): Promise<EnkashGrant> {
  const { partnerId, partnerTokenId } = client;
  const username = text("username");
  const password = text("password");
  const clientId = text("clientId");
  if (clientId !== partnerId && !(await services.auth.standing(partnerId, clientId))) {
    throw new OAuthError("invalid_request", "clientId is not this partner or a linked company");
  }
  // A password hash is costly work: its budget is per address and person, checked before it
  // runs, so a guesser locks out nobody else behind the same address.
  const key = accountKey(ip, partnerId, username);
  await services.exchangeFailures.check(key);
  const checked = await services.partnerUsers.check(partnerId, username, password);
  if (!checked.ok) {
    await services.exchangeFailures.fail(key, request.log);
    throw new OAuthError("invalid_grant", BAD_CREDENTIALS);
  }
  const grant = { partnerUserId: checked.id, accountId: clientId };
  const refreshToken = await services.refreshTokens.issue({ ...grant, partnerTokenId });
  return { grant, refreshToken };
}

/** The refresh_token grant: the refresh token is used once and replaced by the next. */
async function refreshGrant(
  services: EnkashDeps,
  request: FastifyRequest,
  ip: string,
  partnerId: string,
  text: (name: string) => string,
): Promise<EnkashGrant> {
  const rotated = await services.refreshTokens.rotate(text("refresh_token"), partnerId);
  if (!rotated) {
    await services.exchangeFailures.fail(ip, request.log);
    throw new OAuthError("invalid_grant", "the refresh token is unknown, used, expired or revoked");
  }
  return { grant: rotated.grant, refreshToken: rotated.next };
}

/** The token endpoint: an access token (and the next refresh token) for a partner user. */
async function partnerUserToken(services: EnkashDeps, request: FastifyRequest) {
  const ip = clientIp(request);
  const form = (request.body ?? {}) as Record<string, unknown>;
  const text = (name: string) => formText(form, name);
  const client = await authenticatePartnerClient(services, request, ip);
  const grantType = text("grant_type");
  let granted: EnkashGrant;
  if (grantType === "password") {
    granted = await passwordGrant(services, request, ip, client, text);
  } else if (grantType === "refresh_token") {
    granted = await refreshGrant(services, request, ip, client.partnerId, text);
  } else {
    throw new OAuthError("unsupported_grant_type", "grant_type must be password or refresh_token");
  }
  const issued = await services.auth.issueForPartnerUser(
    client.partnerId,
    client.partnerTokenId,
    granted.grant.partnerUserId,
  );
  return {
    access_token: issued.accessToken,
    token_type: "bearer",
    refresh_token: granted.refreshToken,
    expires_in: Math.round((issued.expiresAt - services.clock.now()) / 1000),
    scope: "partner",
  };
}

export async function enkashRoutes(fastify: FastifyInstance, services: EnkashDeps): Promise<void> {
  enkashTokenRoutes(fastify, services);
  enkashSsoRoutes(fastify, services);
}

/** Authentication: the password grant of a partner user, and its refresh. */
function enkashTokenRoutes(fastify: FastifyInstance, services: EnkashDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/oauth/token",
    {
      schema: {
        tags,
        summary: "Enkash's token endpoint: password grant (partner users) and refresh_token",
        security: [{ partnerTokenBasic: [] }],
      },
      errorHandler: sendOAuthError,
    },
    async (request) => partnerUserToken(services, request),
  );
}

/** The SSO token for a card holder, and the login link for either of its views. */
function enkashSsoRoutes(fastify: FastifyInstance, services: EnkashDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/api/v0/partner/enKashCard/sso-token",
    {
      schema: {
        tags,
        summary: "Enkash's SSO token for a card holder, in the vendor's envelope",
        security: [{ bearer: [] }],
        headers: Type.Object({ partnerid: Type.Optional(Type.String({ maxLength: 128 })) }),
        body: Type.Object(
          { cardAccountId: id, companyId: id, enkashCardId: id },
          { additionalProperties: false },
        ),
      },
      errorHandler: sendEnkashError,
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      const header = request.headers.partnerid;
      if (!header) throw new HandoffError("invalid_request", "the partnerId header is required");
      if (header !== principal.partnerId) {
        throw new HandoffError(
          "invalid_token",
          "the partnerId header does not match the access token",
        );
      }
      const target = await services.apps.findByProduct(ENKASH_PRODUCT);
      if (!target) {
        throw new HandoffError(
          "unknown_app",
          `no app is registered for product "${ENKASH_PRODUCT}"`,
        );
      }
      const { cardAccountId, companyId, enkashCardId } = request.body;
      const minted = await services.tickets.mint({
        partnerId: principal.partnerId,
        apiTokenId: principal.apiTokenId,
        onBehalfOf: companyId === principal.partnerId ? undefined : companyId,
        user: { id: cardAccountId },
        appId: target.id,
        returnTo: ENKASH_VIEWS.employee_rewards,
        context: { enkashCardId, landings: ENKASH_VIEWS },
        ip: clientIp(request),
      });
      return {
        response_code: 0,
        response_message: "Success",
        payload: {
          ssoToken: minted.ticket,
          redirectUrl: `${services.config.baseUrl}/sso/${minted.ticket}/employee_rewards/${companyId}`,
        },
      };
    },
  );

  // The link for either view: a page like every login link (a GET never uses the token).
  app.get(
    "/sso/:ssoToken/:view/:partner",
    {
      schema: {
        tags,
        summary: "Enkash's login link: employee_rewards or reward_account (admin) view",
        params: Type.Object({
          ssoToken: Type.String({ minLength: 1, maxLength: 128 }),
          view: Type.Union([Type.Literal("employee_rewards"), Type.Literal("reward_account")]),
          partner: Type.String({ minLength: 1, maxLength: 128 }),
        }),
      },
    },
    async (request, reply) =>
      loginPage(services, request.params.ssoToken, reply, clientIp(request), {
        view: request.params.view,
        accountId: request.params.partner,
      }),
  );
}
