// Seed 004 (BlueSnap): the companion user API (/services/2/cp/user) and the SSO token call
// (/services/2/generateSSOLoginToken/{userId}), HTTP Basic with the partner id and an API token.
// A thin adapter over the native users, mint and login link (docs/compat/bluesnap.md).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppService } from "../apps/service.js";
import type { AuthService } from "../auth/service.js";
import type { Config } from "../config.js";
import { canonicalIp, clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { ProblemSchema } from "../http/schemas.js";
import type { OtpService } from "../otp/service.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";
import type { UserService } from "../users/service.js";

/** What this module uses. */
export interface BluesnapDeps {
  apps: AppService;
  auth: AuthService;
  config: Config;
  exchangeFailures: FailureLimiter;
  otp: OtpService;
  sessions: SessionService;
  tickets: TicketService;
  users: UserService;
}

import { loginPage } from "../tickets/link-page.js";
import type { UserRow } from "../users/service.js";

/** "Each session only remains active for 30 minutes" (the page). */
export const BLUESNAP_SESSION_SECONDS = 30 * 60;
/** The Merchant Portal: the app the operator registered under this product name. */
export const BLUESNAP_PRODUCT = "portal";

const OnBehalf = Type.Object(
  { onbehalfofmid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64 }) });
const name = Type.String({ minLength: 1, maxLength: 100 });
const UserFields = {
  firstName: name,
  lastName: name,
  email: Type.String({ minLength: 3, maxLength: 254 }),
  username: Type.String({ minLength: 1, maxLength: 256 }),
};
// The vendor's user objects carry more fields than the four Handoff keeps; they are accepted and
// ignored so an integration's full payload still works (docs/compat/bluesnap.md).
const NewUser = Type.Object(UserFields, { additionalProperties: true });
const UserChanges = Type.Partial(Type.Object(UserFields), { additionalProperties: true });
const UserBody = Type.Object({
  userId: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  username: Type.String(),
});

const tags = ["compat: BlueSnap"];
const security = [{ partnerBasic: [] }];

function userBody(user: UserRow) {
  return {
    userId: user.id,
    firstName: user.given_name,
    lastName: user.family_name,
    email: user.email,
    username: user.external_id,
  };
}

/** The calling partner and the account it acts for (itself, or a linked `onbehalfofmid`). */
async function bluesnapAccount(
  services: BluesnapDeps,
  request: FastifyRequest,
  onBehalfOf: string | undefined,
) {
  const ip = clientIp(request);
  let principal: { partnerId: string; apiTokenId: string };
  try {
    principal = await services.auth.authenticateBasic(request.headers.authorization);
  } catch (error) {
    if (error instanceof HandoffError && error.code === "invalid_token") {
      await services.exchangeFailures.fail(ip, request.log);
      throw error.challenging('Basic realm="handoff"');
    }
    throw error;
  }
  const accountId = onBehalfOf ?? principal.partnerId;
  if (
    accountId !== principal.partnerId &&
    !(await services.auth.standing(principal.partnerId, accountId))
  ) {
    throw new HandoffError("not_linked", "onbehalfofmid does not name a linked account");
  }
  return { ...principal, accountId, ip };
}

export async function bluesnapRoutes(
  fastify: FastifyInstance,
  services: BluesnapDeps,
): Promise<void> {
  bluesnapUserRoutes(fastify, services);
  bluesnapLoginRoutes(fastify, services);
}

/** The companion user API: create, read, change and delete a partner's (or sub-account's) user. */
function bluesnapUserRoutes(fastify: FastifyInstance, services: BluesnapDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/services/2/cp/user",
    {
      schema: {
        tags,
        summary: "Create a user (owned by the partner, or by onbehalfofmid)",
        security,
        querystring: OnBehalf,
        body: NewUser,
        response: { 201: UserBody, "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const { accountId } = await bluesnapAccount(services, request, request.query.onbehalfofmid);
      const body = request.body;
      const user = await services.users.create(accountId, {
        id: body.username,
        email: body.email,
        givenName: body.firstName,
        familyName: body.lastName,
        name: `${body.firstName} ${body.lastName}`,
      });
      return reply
        .code(201)
        .header("location", `${services.config.baseUrl}/services/2/cp/user/${user.id}`)
        .send(userBody(user));
    },
  );

  app.get(
    "/services/2/cp/user/:userId",
    {
      schema: {
        tags,
        summary: "Read a user",
        security,
        params: UserParams,
        querystring: OnBehalf,
        response: { 200: UserBody, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const { accountId } = await bluesnapAccount(services, request, request.query.onbehalfofmid);
      return userBody(await services.users.ofAccount(accountId, request.params.userId));
    },
  );

  app.put(
    "/services/2/cp/user/:userId",
    {
      schema: {
        tags,
        summary: "Change a user",
        security,
        params: UserParams,
        querystring: OnBehalf,
        body: UserChanges,
        response: { 200: UserBody, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const { accountId } = await bluesnapAccount(services, request, request.query.onbehalfofmid);
      const body = request.body;
      const current = await services.users.ofAccount(accountId, request.params.userId);
      const first = body.firstName ?? current.given_name ?? "";
      const last = body.lastName ?? current.family_name ?? "";
      const user = await services.users.update(accountId, request.params.userId, {
        id: body.username,
        email: body.email,
        givenName: body.firstName,
        familyName: body.lastName,
        name: `${first} ${last}`.trim() || undefined,
      });
      return userBody(user);
    },
  );

  app.delete(
    "/services/2/cp/user/:userId",
    {
      schema: {
        tags,
        summary: "Delete a user, with its outstanding login tokens and sessions",
        security,
        params: UserParams,
        querystring: OnBehalf,
      },
    },
    async (request, reply) => {
      const { accountId } = await bluesnapAccount(services, request, request.query.onbehalfofmid);
      await services.users.remove(accountId, request.params.userId);
      services.sessions.forget();
      return reply.code(204).send();
    },
  );
}

/** The SSO token call, and the login link in the vendor's format. */
function bluesnapLoginRoutes(fastify: FastifyInstance, services: BluesnapDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/services/2/generateSSOLoginToken/:userId",
    {
      schema: {
        tags,
        summary: "BlueSnap's login token and link for the user, bound to the requesting IP",
        security,
        params: UserParams,
        querystring: OnBehalf,
        body: Type.Object(
          { requestingUserIp: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ loginToken: Type.String(), loginLink: Type.String() }),
          "4xx": ProblemSchema,
        },
      },
    },
    async (request) => {
      const caller = await bluesnapAccount(services, request, request.query.onbehalfofmid);
      // The page's own example sends " 62.216.234.216": surrounding spaces are trimmed.
      const ip = canonicalIp(request.body.requestingUserIp.trim());
      if (!ip) throw new HandoffError("invalid_request", "requestingUserIp is not an IP address");
      const user = await services.users.ofAccount(caller.accountId, request.params.userId);
      const portal = await services.apps.findByProduct(BLUESNAP_PRODUCT);
      if (!portal) {
        throw new HandoffError(
          "unknown_app",
          `no app is registered for product "${BLUESNAP_PRODUCT}"`,
        );
      }
      const minted = await services.tickets.mint({
        partnerId: caller.partnerId,
        apiTokenId: caller.apiTokenId,
        onBehalfOf: caller.accountId === caller.partnerId ? undefined : caller.accountId,
        user: { id: user.external_id },
        appId: portal.id,
        bindIp: ip,
        sessionSeconds: BLUESNAP_SESSION_SECONDS,
        ip: caller.ip,
      });
      return {
        loginToken: minted.ticket,
        loginLink: `${services.config.baseUrl}/jsp/developer_login.jsp?ref=${minted.ticket}`,
      };
    },
  );

  // The login link in the vendor's format: a page like every login link (GET never uses it).
  app.get(
    "/jsp/developer_login.jsp",
    {
      schema: {
        tags,
        summary: "BlueSnap's login link: the page in front of the login token",
        querystring: Type.Object({ ref: Type.String({ minLength: 1, maxLength: 128 }) }),
      },
    },
    async (request, reply) => loginPage(services, request.query.ref, reply, clientIp(request)),
  );
}
