// Native partner API: the token exchange and "who am I".
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock.js";
import type { FailureLimiter } from "../http/failures.js";
import { ProblemSchema } from "../http/schemas.js";
import type { PartnerService } from "../partners/service.js";
import type { AuthService } from "./service.js";

/** What this module uses. */
export interface AuthRouteDeps {
  auth: AuthService;
  clock: Clock;
  exchangeFailures: FailureLimiter;
  partners: PartnerService;
}

type Deps = AuthRouteDeps;

import { guardedExchange, requirePartner } from "./guard.js";

const TokenRequest = Type.Object(
  {
    partner_token: Type.Optional(Type.String({ maxLength: 512 })),
    api_token: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer(),
  expires_at: Type.String({ format: "date-time" }),
});

export async function authRoutes(fastify: FastifyInstance, services: Deps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/v1/auth/token",
    {
      schema: {
        tags: ["auth"],
        summary: "Exchange a partner token and an API token for a 24-hour access token",
        body: TokenRequest,
        response: { 200: TokenResponse, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const { accessToken, expiresAt } = await guardedExchange(
        services,
        request,
        request.body.partner_token,
        request.body.api_token,
      );
      return {
        access_token: accessToken,
        token_type: "Bearer" as const,
        expires_in: Math.round((expiresAt - services.clock.now()) / 1000),
        expires_at: new Date(expiresAt).toISOString(),
      };
    },
  );

  app.get(
    "/v1/partner",
    {
      schema: {
        tags: ["auth"],
        summary: "The partner the access token speaks for",
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            id: Type.String(),
            name: Type.String(),
            status: Type.String(),
            contract_expires_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
            api_token_id: Type.Union([Type.String(), Type.Null()]),
            partner_user_id: Type.Union([Type.String(), Type.Null()]),
            sub_accounts: Type.Array(Type.String()),
          }),
          "4xx": ProblemSchema,
        },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      const partner = await services.partners.get(principal.partnerId);
      const children = await services.partners.subAccounts(principal.partnerId);
      return {
        id: partner.id,
        name: partner.name,
        status: partner.status,
        contract_expires_at:
          partner.contract_expires_at === null
            ? null
            : new Date(partner.contract_expires_at).toISOString(),
        api_token_id: principal.apiTokenId,
        partner_user_id: principal.partnerUserId,
        sub_accounts: children,
      };
    },
  );
}
