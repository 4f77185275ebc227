// The management API of the platform's own things, for operators: the audit log, apps and
// signing keys.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import {
  AppInput,
  AppSchema,
  AuditSchema,
  appChanges,
  appJson,
  auditJson,
  DateTime,
  Id,
  instant,
  iso,
  NoContent,
  Nullable,
  Paging,
  Problems,
  security,
  tags,
} from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

const AppParams = Type.Object({ appId: Id });
const KeySchema = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  created_at: DateTime,
  retire_at: Nullable(DateTime),
});

/** The audit log, apps and signing keys (operators only: Management checks). */
export function platformRoutes(scope: FastifyInstance, services: Deps): void {
  auditRoutes(scope, services);
  appListRoutes(scope, services);
  oneAppRoutes(scope, services);
  signingKeyRoutes(scope, services);
}

/** The audit log, newest first. */
function auditRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/audit",
    {
      schema: {
        tags,
        security,
        summary: "The audit log, newest first (operators)",
        querystring: Type.Object({
          ...Paging,
          partner_id: Type.Optional(Type.String({ maxLength: 128 })),
          actor: Type.Optional(Type.String({ maxLength: 128 })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          since: Type.Optional(DateTime),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const q = request.query;
      const rows = await management.audit(viewer, {
        partnerId: q.partner_id,
        actor: q.actor,
        action: q.action,
        since: instant(q.since, "since"),
        before: instant(q.before, "before"),
        limit: q.limit,
      });
      return { entries: rows.map(auditJson) };
    },
  );
}

/** The platform's apps, and registering one. */
function appListRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/apps",
    {
      schema: {
        tags,
        security,
        summary: "The platform's apps (operators)",
        response: { 200: Type.Object({ apps: Type.Array(AppSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return { apps: (await management.listApps(viewer)).map(appJson) };
    },
  );

  app.post(
    "/v1/manage/apps",
    {
      schema: {
        tags,
        security,
        summary: "Register an app (operators)",
        body: Type.Intersect([
          Type.Pick(AppInput, ["name", "url"]),
          Type.Partial(Type.Omit(AppInput, ["name", "url"])),
        ]),
        response: { 201: AppSchema, ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const changes = appChanges(request.body);
      const created = await management.createApp(acting, {
        ...changes,
        name: request.body.name,
        baseUrl: request.body.url,
      });
      return reply.code(201).send(appJson(created));
    },
  );
}

/** One app: read it, change its settings, issue a new secret. */
function oneAppRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/apps/:appId",
    {
      schema: {
        tags,
        security,
        summary: "One app (operators)",
        params: AppParams,
        response: { 200: AppSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return appJson(await management.getApp(viewer, request.params.appId));
    },
  );

  app.patch(
    "/v1/manage/apps/:appId",
    {
      schema: {
        tags,
        security,
        summary: "Change an app's settings (operators)",
        params: AppParams,
        body: Type.Partial(AppInput),
        response: { 200: AppSchema, ...Problems },
      },
    },
    async (request) => {
      const acting = await requireConsoleChange(services, request);
      return appJson(
        await management.updateApp(acting, request.params.appId, appChanges(request.body)),
      );
    },
  );

  app.post(
    "/v1/manage/apps/:appId/secret",
    {
      schema: {
        tags,
        security,
        summary: "Issue a new app secret (the old one stops at once). Shown once.",
        params: AppParams,
        response: { 201: Type.Object({ app_secret: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const secret = await management.rotateAppSecret(acting, request.params.appId);
      return reply.code(201).send({ app_secret: secret });
    },
  );
}

/** The live signing keys: listed, rotated, revoked in an emergency. */
function signingKeyRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/keys",
    {
      schema: {
        tags,
        security,
        summary: "The live signing keys (operators; never a private part)",
        response: { 200: Type.Object({ keys: Type.Array(KeySchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return {
        keys: management.listKeys(viewer).map((k) => ({
          kid: k.kid,
          alg: k.alg,
          created_at: new Date(k.created_at).toISOString(),
          retire_at: iso(k.retire_at),
        })),
      };
    },
  );

  app.post(
    "/v1/manage/keys",
    {
      schema: {
        tags,
        security,
        summary: "Rotate the signing keys (operators)",
        response: { 201: Type.Object({ kid: Type.String() }), ...Problems },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      return reply.code(201).send({ kid: await management.rotateKeys(acting) });
    },
  );

  app.delete(
    "/v1/manage/keys/:kid",
    {
      schema: {
        tags,
        security,
        summary: "Revoke a signing key at once (operators; an emergency)",
        params: Type.Object({ kid: Id }),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      await management.revokeKey(acting, request.params.kid);
      return reply.code(204).send(null);
    },
  );
}
