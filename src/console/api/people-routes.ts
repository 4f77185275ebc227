// The management API of a partner's people: its console users, its users' login links (one
// user, and ending their access, are in user-routes.ts), and its activity.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import {
  AuditSchema,
  auditJson,
  Id,
  instant,
  iso,
  NoContent,
  Paging,
  PartnerParams,
  PartnerUserSchema,
  Problems,
  security,
  TicketSchema,
  tags,
} from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

const UserParams = Type.Object({ partnerId: Id, userId: Id });
const TicketParams = Type.Object({ partnerId: Id, ticketId: Id });

/** Partner users; one login link; the partner's tickets and activity. */
export function peopleRoutes(scope: FastifyInstance, services: Deps): void {
  partnerUserRoutes(scope, services);
  partnerUserRecoveryRoutes(scope, services);
  loginLinkRoutes(scope, services);
  partnerActivityRoutes(scope, services);
}

/** The partner's users (who sign in to the console and seed 000): the list, and a new one. */
function partnerUserRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/partners/:partnerId/partner-users",
    {
      schema: {
        tags,
        security,
        summary:
          "The partner's users (the people who sign in to the console, and to the Enkash-shaped password grant)",
        params: PartnerParams,
        response: { 200: Type.Object({ users: Type.Array(PartnerUserSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const users = await management.listPartnerUsers(viewer, request.params.partnerId);
      return {
        users: users.map((u) => ({
          id: u.id,
          login: u.login,
          role: u.role,
          locked_until: iso(u.locked_until),
          created_at: new Date(u.created_at).toISOString(),
        })),
      };
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/partner-users",
    {
      schema: {
        tags,
        security,
        summary: "Create a partner user (an admin, or a viewer who only reads)",
        params: PartnerParams,
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            role: Type.Optional(Type.Union([Type.Literal("admin"), Type.Literal("viewer")])),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.String(), login: Type.String(), role: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createPartnerUser(acting, request.params.partnerId, {
        login: request.body.login,
        password: request.body.password,
        ...(request.body.role ? { role: request.body.role } : {}),
      });
      return reply.code(201).send(created);
    },
  );
}

/** Getting a partner user back in: a new password, or an unlock after too many wrong ones. */
function partnerUserRecoveryRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.post(
    "/v1/manage/partners/:partnerId/partner-users/:userId/password",
    {
      schema: {
        tags,
        security,
        summary: "Set a partner user's password (ends their console sessions and refresh tokens)",
        params: UserParams,
        body: Type.Object(
          { password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.resetPartnerUserPassword(
        acting,
        request.params.partnerId,
        request.params.userId,
        request.body.password,
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/manage/partners/:partnerId/partner-users/:userId/unlock",
    {
      schema: {
        tags,
        security,
        summary: "Unlock a partner user after too many wrong passwords",
        params: UserParams,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.unlockPartnerUser(acting, request.params.partnerId, request.params.userId);
      return reply.code(204).send(null);
    },
  );
}

/** One login link of the partner's: what became of it, and revoking it. */
function loginLinkRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/partners/:partnerId/tickets/:ticketId",
    {
      schema: {
        tags,
        security,
        summary: "One login link: what became of it and why",
        params: TicketParams,
        response: { 200: TicketSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return management.getTicket(viewer, request.params.partnerId, request.params.ticketId);
    },
  );

  app.delete(
    "/v1/manage/partners/:partnerId/tickets/:ticketId",
    {
      schema: {
        tags,
        security,
        summary: "Revoke an unused login link (a used or dead one is left as it is)",
        params: TicketParams,
        response: { 200: TicketSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      return management.revokeTicket(acting, request.params.partnerId, request.params.ticketId);
    },
  );
}

/** What happened: the partner's newest login links, and its audit entries. */
function partnerActivityRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/partners/:partnerId/tickets",
    {
      schema: {
        tags,
        security,
        summary: "The partner's newest login links, with what became of each and why",
        params: PartnerParams,
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ tickets: Type.Array(TicketSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const tickets = await management.listTickets(viewer, request.params.partnerId, {
        before: instant(request.query.before, "before"),
        limit: request.query.limit,
      });
      return { tickets };
    },
  );

  app.get(
    "/v1/manage/partners/:partnerId/activity",
    {
      schema: {
        tags,
        security,
        summary: "The partner's audit entries: redemptions with their outcome, and changes",
        params: PartnerParams,
        querystring: Type.Object({
          ...Paging,
          action: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const rows = await management.activity(viewer, request.params.partnerId, {
        before: instant(request.query.before, "before"),
        limit: request.query.limit,
        action: request.query.action,
      });
      return { entries: rows.map(auditJson) };
    },
  );
}
