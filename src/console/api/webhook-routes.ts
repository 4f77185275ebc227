// The management API of event webhooks (docs/webhooks.md): a partner's endpoints and deliveries
// under /v1/manage/partners/{id}/…, the operators' own (every partner's events) under /v1/manage/….
import { type TObject, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { EVENT_TYPES } from "../../webhooks/events.js";
import type { ConsoleDeps } from "../deps.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import { Id, NoContent, Nullable, Problems, security, tags } from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

const EndpointSchema = Type.Object({
  id: Type.String(),
  partner_id: Nullable(Type.String()),
  url: Type.String(),
  events: Type.Array(Type.String()),
  created_at: Type.String(),
});
const DeliverySchema = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  type: Type.String(),
  endpoint_id: Type.String(),
  partner_id: Nullable(Type.String()),
  state: Type.String(),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(Type.String({ description: "When a pending delivery is tried next" })),
  last_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  created_at: Nullable(Type.String()),
  finished_at: Nullable(Type.String()),
});
const NewEndpoint = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    // An enum (not a union of constants): one error that names the allowed values, not seven.
    events: Type.Array(
      Type.Unsafe<(typeof EVENT_TYPES)[number]>({ type: "string", enum: [...EVENT_TYPES] }),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

/** Where a set of webhook routes lives: under one partner, or the operators' own. */
interface WebhookScope {
  prefix: string;
  who: string;
  params: TObject;
  paramsWith: (name: string) => TObject;
}

const partnerOf = (p: unknown) => (p as { partnerId?: string }).partnerId ?? null;

function webhookScope(prefix: string, who: string): WebhookScope {
  const scoped = prefix.includes(":partnerId");
  const params = scoped ? Type.Object({ partnerId: Id }) : Type.Object({});
  const paramsWith = (name: string) =>
    scoped ? Type.Object({ partnerId: Id, [name]: Id }) : Type.Object({ [name]: Id });
  return { prefix, who, params, paramsWith };
}

export function webhookManagementRoutes(scope: FastifyInstance, services: Deps): void {
  for (const [prefix, who] of [
    ["/v1/manage/partners/:partnerId", "the partner's"],
    ["/v1/manage", "the operators' own (every partner's events)"],
  ] as const) {
    const at = webhookScope(prefix, who);
    webhookEndpointRoutes(scope, services, at);
    webhookDeliveryRoutes(scope, services, at);
  }
}

/** Endpoints: listed, subscribed to events, removed. */
function webhookEndpointRoutes(scope: FastifyInstance, services: Deps, at: WebhookScope): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;
  const { prefix, who, params, paramsWith } = at;

  app.get(
    `${prefix}/webhooks`,
    {
      schema: {
        tags,
        security,
        summary: `Webhook endpoints: ${who}`,
        params,
        response: { 200: Type.Object({ endpoints: Type.Array(EndpointSchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return { endpoints: await management.listWebhooks(viewer, partnerOf(request.params)) };
    },
  );

  app.post(
    `${prefix}/webhooks`,
    {
      schema: {
        tags,
        security,
        summary: `Subscribe an endpoint to events (${who}); its signing secret is shown once`,
        params,
        body: NewEndpoint,
        response: {
          201: Type.Object({ endpoint: EndpointSchema, secret: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const created = await management.createWebhook(
        acting,
        partnerOf(request.params),
        request.body,
      );
      return reply.code(201).send(created);
    },
  );

  app.delete(
    `${prefix}/webhooks/:endpointId`,
    {
      schema: {
        tags,
        security,
        summary: `Remove an endpoint (${who}) and its pending deliveries`,
        params: paramsWith("endpointId"),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const { endpointId } = request.params as { endpointId: string };
      await management.removeWebhook(acting, partnerOf(request.params), endpointId);
      return reply.code(204).send(null);
    },
  );
}

/** Deliveries: the newest with their attempts, and delivering one again. */
function webhookDeliveryRoutes(scope: FastifyInstance, services: Deps, at: WebhookScope): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;
  const { prefix, who, params, paramsWith } = at;

  app.get(
    `${prefix}/webhook-deliveries`,
    {
      schema: {
        tags,
        security,
        summary: `The newest webhook deliveries with their attempts (${who})`,
        params,
        response: { 200: Type.Object({ deliveries: Type.Array(DeliverySchema) }), ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      return {
        deliveries: await management.webhookDeliveries(viewer, partnerOf(request.params)),
      };
    },
  );

  app.post(
    `${prefix}/webhook-deliveries/:deliveryId/replay`,
    {
      schema: {
        tags,
        security,
        summary: `Deliver an event again (${who})`,
        params: paramsWith("deliveryId"),
        response: NoContent,
      },
    },
    async (request, reply) => {
      const acting = await requireConsoleChange(services, request);
      const { deliveryId } = request.params as { deliveryId: string };
      await management.replayWebhook(acting, partnerOf(request.params), deliveryId);
      return reply.code(204).send(null);
    },
  );
}
