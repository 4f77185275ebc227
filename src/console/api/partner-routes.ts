// The management API of partners themselves: the list, a new partner, one partner's status and
// contract, and its sub-accounts.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import {
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

const SubAccountParams = Type.Object({ partnerId: Id, subAccountId: Id });

/** Partners and their sub-accounts (credentials: credential-routes.ts). */
export function partnerRoutes(scope: FastifyInstance, services: Deps): void {
  partnerListRoutes(scope, services);
  onePartnerRoutes(scope, services);
  subAccountRoutes(scope, services);
}

/** The partners a viewer may see, and a new partner. */
function partnerListRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

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
}

/** One partner: read it, suspend or activate it, set its contract expiry. */
function onePartnerRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

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
}

/** Letting a partner act for a sub-account, and taking that right away. */
function subAccountRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

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
}
