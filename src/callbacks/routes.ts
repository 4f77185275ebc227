// `POST /v1/callbacks/{kind}`: an app asks Handoff to call the partner of one of its users back
// (balance, debit, refund, verify), with its app credentials (as for introspection) and the
// user's Handoff session or user id. The partner's answer is relayed: its status and body for
// 2xx to 4xx; 502 partner_error (with partner_status) for a 5xx or no connection; 504
// partner_timeout when the time runs out.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { requireApp } from "../apps/guard.js";
import type { AppService } from "../apps/service.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { problemBody } from "../http/problem.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";
import type { CallbackService } from "./service.js";
import { CALLBACK_KINDS, checkKind } from "./service.js";

/** What this module uses. */
export interface CallbackRouteDeps {
  apps: AppService;
  callbacks: CallbackService;
  redeemFailures: FailureLimiter;
  sessions: SessionService;
  tickets: TicketService;
}

type Deps = CallbackRouteDeps;

const Body = Type.Object(
  {
    client_id: Type.Optional(Type.String({ maxLength: 256 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
    session: Type.Optional(
      Type.String({ maxLength: 256, description: "The user's Handoff session (hss_…)" }),
    ),
    user_id: Type.Optional(
      Type.String({ maxLength: 64, description: "Or the user's Handoff id (usr_…)" }),
    ),
    data: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: "The JSON body for the partner" }),
    ),
  },
  { additionalProperties: false },
);

export async function callbackRoutes(scope: FastifyInstance, services: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/v1/callbacks/:kind",
    {
      schema: {
        tags: ["callbacks"],
        summary:
          "Call the user's partner back (balance, debit, refund, verify) and relay its answer",
        params: Type.Object({ kind: Type.Union(CALLBACK_KINDS.map((k) => Type.Literal(k))) }),
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ maxLength: 255 })) }),
        body: Body,
      },
    },
    async (request, reply) => {
      const caller = await requireApp(services, request, request.body);
      const kind = checkKind(request.params.kind);
      const { session: token, user_id: userId } = request.body;
      let user: { userId: string; partnerId: string; authToken: string | null };
      if (token) {
        const session = await services.sessions.check(token);
        if (!session || !(await services.sessions.opens(session, caller))) {
          throw new HandoffError("no_session", "no live session of this user for this app");
        }
        const token_ = services.sessions.partnerData(session, true)?.auth_token;
        user = {
          userId: session.userId,
          partnerId: session.partnerId,
          authToken: typeof token_ === "string" ? token_ : null,
        };
      } else if (userId) {
        // Only a user who signed in to this app (or its sign-in group) through a link.
        const found = await services.tickets.authTokenOf(
          userId,
          await services.apps.groupOf(caller),
        );
        if (!found) throw new HandoffError("not_found", `no partner auth_token for user ${userId}`);
        user = { userId, partnerId: found.partnerId, authToken: found.authToken };
      } else {
        throw new HandoffError("invalid_request", "give the user's session or user_id");
      }
      if (!user.authToken) {
        throw new HandoffError(
          "invalid_request",
          "the partner gave no auth_token for this user's sign-in",
        );
      }
      const answer = await services.callbacks.call({
        appId: caller.id,
        kind,
        partnerId: user.partnerId,
        userId: user.userId,
        authToken: user.authToken,
        body: JSON.stringify(request.body.data ?? {}),
        idempotencyKey: request.headers["idempotency-key"],
        ip: clientIp(request),
      });
      if (answer.replayed) reply.header("idempotent-replayed", "true");
      // 5xx, and a redirect (never followed: it could point anywhere), are the partner's failure.
      if (
        answer.status >= 500 ||
        answer.status < 200 ||
        (answer.status >= 300 && answer.status < 400)
      ) {
        const error = new HandoffError(
          "partner_error",
          `the partner's endpoint answered ${answer.status}`,
        );
        return reply
          .status(502)
          .type("application/problem+json")
          .send({ ...problemBody(error, request), partner_status: answer.status });
      }
      const json = answer.contentType?.includes("json") ?? false;
      return reply
        .status(answer.status)
        .header("cache-control", "no-store")
        .type(json ? "application/json" : "text/plain; charset=utf-8")
        .send(answer.body);
    },
  );
}
