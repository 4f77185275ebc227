// Seed 000 (Enkash): POST /api/v0/partner/enKashCard/sso-token mints a login link for a card
// holder, answered in the vendor's envelope; the link, /sso/{ssoToken}/{view}/{partner}, lands on
// the employee or the admin page of the rewards app. A thin adapter (docs/compat/enkash.md).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { requirePartner } from "../auth/routes.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import { logError, toHandoffError } from "../http/problem.js";
import type { Services } from "../services.js";
import { loginPage } from "../sso/browser.js";

/** The app the links land in: the one registered under this product name. */
export const ENKASH_PRODUCT = "rewards";
/** The vendor's two views of one token, and the app pages they land on. */
export const ENKASH_VIEWS = {
  employee_rewards: "/employee_rewards",
  reward_account: "/reward_account",
} as const;

/** `{response_code: 1, response_message}` for every failure (docs/compat/enkash.md). */
function sendEnkashError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const handoffError = toHandoffError(error);
  logError(handoffError, request);
  return reply
    .status(handoffError.status)
    .headers(handoffError.headers)
    .send({ response_code: 1, response_message: handoffError.message, payload: null });
}

const id = Type.String({ minLength: 1, maxLength: 128 });

export async function enkashRoutes(fastify: FastifyInstance, services: Services): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ["compat: enkash (seed 000)"];

  app.post(
    "/api/v0/partner/enKashCard/sso-token",
    {
      schema: {
        tags,
        summary: "Seed 000's SSO token for a card holder, in the vendor's envelope",
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
        summary: "Seed 000's login link: employee_rewards or reward_account (admin) view",
        params: Type.Object({
          ssoToken: Type.String({ minLength: 1, maxLength: 128 }),
          view: Type.Union([Type.Literal("employee_rewards"), Type.Literal("reward_account")]),
          partner: Type.String({ minLength: 1, maxLength: 128 }),
        }),
      },
    },
    async (request, reply) =>
      loginPage(services, request.params.ssoToken, reply, {
        view: request.params.view,
        accountId: request.params.partner,
      }),
  );
}
