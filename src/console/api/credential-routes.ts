// The management API of a partner's credentials (seed 001's Token Management page): the partner
// token, the SSO key and API tokens; each new secret shown once.
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
  Problems,
  security,
  tags,
} from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

/** Partner tokens, SSO keys and API tokens. */
export function credentialRoutes(scope: FastifyInstance, services: Deps): void {
  secretRotationRoutes(scope, services);
  apiTokenRoutes(scope, services);
}

/** Rotating the partner token and issuing a new SSO key. */
function secretRotationRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

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
}

/** API tokens: listed (never their secrets), created, revoked. */
function apiTokenRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

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
