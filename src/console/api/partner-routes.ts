// The management API of partners and their credentials (seed 001's Token Management page).
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import {
  ApiTokenSchema,
  apiTokenJson,
  DateTime,
  Id,
  instant,
  NoContent,
  Nullable,
  PartnerParams,
  PartnerSchema,
  Problems,
  partnerJson,
  security,
  tags,
} from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

/** Partners, sub-accounts, partner tokens, SSO keys and API tokens. */
export function partnerRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;
  // Partners

  app.get(
    "/v1/manage/partners",
    {
      schema: {
        tags,
        security,
        summary: "Partners this viewer may see (operators: all; partner users: theirs)",
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ partners: Type.Array(PartnerSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return {
        partners: (await management.listPartners(viewer, request.query.q)).map(partnerJson),
      };
    },
  );

  app.post(
    "/v1/manage/partners",
    {
      schema: {
        tags,
        security,
        summary: "Create a partner (operators); its partner token is shown once",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            contract_expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ partner: PartnerSchema, partner_token: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createPartner(acting, {
        name: request.body.name,
        contractExpiresAt:
          instant(request.body.contract_expires_at ?? undefined, "contract_expires_at") ?? null,
      });
      return reply
        .code(201)
        .send({ partner: partnerJson(created.partner), partner_token: created.partnerToken });
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId",
    {
      schema: {
        tags,
        security,
        summary: "One partner, with its sub-accounts",
        params: PartnerParams,
        response: { 200: PartnerSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return partnerJson(await management.getPartner(viewer, request.params.partnerId));
    },
  );

  app.patch(
    "/v1/manage/partners/:partnerId",
    {
      schema: {
        tags,
        security,
        summary: "Suspend or activate a partner, or set its contract expiry (operators)",
        params: PartnerParams,
        body: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal("active"), Type.Literal("suspended")])),
            contract_expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: { 200: PartnerSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      const { status, contract_expires_at: expiry } = request.body;
      return partnerJson(
        await management.updatePartner(acting, request.params.partnerId, {
          ...(status ? { status } : {}),
          ...(expiry !== undefined
            ? {
                contractExpiresAt:
                  expiry === null ? null : (instant(expiry, "contract_expires_at") ?? null),
              }
            : {}),
        }),
      );
    },
  );

  const SubAccountParams = Type.Object({ partnerId: Id, subAccountId: Id });
  app.put(
    "/v1/manage/partners/:partnerId/sub-accounts/:subAccountId",
    {
      schema: {
        tags,
        security,
        summary: "Let a partner act for a sub-account (operators)",
        params: SubAccountParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.linkSubAccount(
        acting,
        request.params.partnerId,
        request.params.subAccountId,
      );
      return reply.code(204).send(null);
    },
  );
  app.delete(
    "/v1/manage/partners/:partnerId/sub-accounts/:subAccountId",
    {
      schema: {
        tags,
        security,
        summary: "Take that right away (operators)",
        params: SubAccountParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.unlinkSubAccount(
        acting,
        request.params.partnerId,
        request.params.subAccountId,
      );
      return reply.code(204).send(null);
    },
  );

  // Credentials: the Token Management page's API

  app.post(
    "/v1/manage/partners/:partnerId/partner-token",
    {
      schema: {
        tags,
        security,
        summary: "Rotate the partner token; the old one works for the overlap. Shown once.",
        params: PartnerParams,
        body: Type.Optional(
          Type.Object(
            {
              overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 90 * 24 * 3600 })),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 201: Type.Object({ partner_token: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const token = await management.rotatePartnerToken(
        acting,
        request.params.partnerId,
        request.body?.overlap_seconds,
      );
      return reply.code(201).send({ partner_token: token });
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/sso-key",
    {
      schema: {
        tags,
        security,
        summary: "Issue a new SSO key (earlier keys stop at once). Shown once.",
        params: PartnerParams,
        response: { 201: Type.Object({ sso_key: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const key = await management.rotateSsoKey(acting, request.params.partnerId);
      return reply.code(201).send({ sso_key: key });
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId/api-tokens",
    {
      schema: {
        tags,
        security,
        summary: "The partner's API tokens (never their secrets)",
        params: PartnerParams,
        response: { 200: Type.Object({ api_tokens: Type.Array(ApiTokenSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const tokens = await management.listApiTokens(viewer, request.params.partnerId);
      return { api_tokens: tokens.map(apiTokenJson) };
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/api-tokens",
    {
      schema: {
        tags,
        security,
        summary: "Create an API token, with a name and an optional expiry. Shown once.",
        params: PartnerParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            expires_at: Type.Optional(Nullable(DateTime)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ api_token: ApiTokenSchema, token: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createApiToken(acting, request.params.partnerId, {
        name: request.body.name,
        expiresAt: instant(request.body.expires_at ?? undefined, "expires_at") ?? null,
      });
      return reply
        .code(201)
        .send({ api_token: apiTokenJson(created.apiToken), token: created.token });
    },
  );

  app.delete(
    "/v1/manage/partners/:partnerId/api-tokens/:tokenId",
    {
      schema: {
        tags,
        security,
        summary: "Revoke an API token: exchanges with it fail at once",
        params: Type.Object({ partnerId: Id, tokenId: Id }),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.revokeApiToken(acting, request.params.partnerId, request.params.tokenId);
      return reply.code(204).send(null);
    },
  );
}
