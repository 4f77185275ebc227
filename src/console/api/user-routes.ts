// The management API of one of a partner's users (who sign in through login links): who they
// are with what is live, ending all of their sessions or links at once, and one link's timeline.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import type { LinkTimeline } from "../management-timeline.js";
import type { UserView } from "../management-types.js";
import { requireConsole, requireConsoleChange } from "../signin/guard.js";
import { DateTime, Id, iso, Nullable, Problems, security, TicketSchema, tags } from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "management">;

const UserParams = Type.Object({ partnerId: Id, userId: Id });
const TicketParams = Type.Object({ partnerId: Id, ticketId: Id });

const UserSchema = Type.Object({
  id: Type.String(),
  partner_id: Type.String({ description: "The account the user belongs to" }),
  external_id: Type.String({ description: "The partner's own id for the user" }),
  email: Nullable(Type.String()),
  name: Nullable(Type.String()),
  phone: Nullable(Type.Object({ number: Type.String(), country_code: Type.String() })),
  created_at: DateTime,
  live_sessions: Type.Integer({ description: "Sessions neither ended nor past their limit" }),
  live_tickets: Type.Integer({ description: "Unused login links not yet expired" }),
  tickets: Type.Array(TicketSchema, {
    description: "The newest login links this partner minted for the user (at most 20)",
  }),
});

const TimelineSchema = Type.Object({
  ticket: TicketSchema,
  session: Nullable(
    Type.Object({
      id: Type.String(),
      created_at: DateTime,
      expires_at: DateTime,
      ended_at: Nullable(DateTime),
      end_reason: Nullable(Type.String()),
      otp_verified_at: Nullable(DateTime),
    }),
  ),
  events: Type.Array(
    Type.Object({
      at: DateTime,
      step: Type.Union([
        Type.Literal("minted"),
        Type.Literal("page_opened"),
        Type.Literal("otp_sent"),
        Type.Literal("otp_wrong"),
        Type.Literal("otp_entered"),
        Type.Literal("redeemed"),
        Type.Literal("refused"),
        Type.Literal("revoked"),
        Type.Literal("expired"),
        Type.Literal("session_ended"),
      ]),
      outcome: Type.String({ description: '"ok", or a reason code' }),
      actor: Type.String(),
      ip: Nullable(Type.String()),
      detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
    }),
    { description: "Oldest first" },
  ),
});

const userJson = ({ user, liveSessions, liveLinks, links }: UserView) => ({
  id: user.id,
  partner_id: user.partner_id,
  external_id: user.external_id,
  email: user.email,
  name: user.name,
  phone:
    user.phone_number === null
      ? null
      : { number: user.phone_number, country_code: user.phone_country_code ?? "" },
  created_at: new Date(Number(user.created_at)).toISOString(),
  live_sessions: liveSessions,
  live_tickets: liveLinks,
  tickets: links,
});

const timelineJson = ({ ticket, session, events }: LinkTimeline) => ({
  ticket,
  session: session && {
    id: session.id,
    created_at: new Date(session.createdAt).toISOString(),
    expires_at: new Date(session.expiresAt).toISOString(),
    ended_at: iso(session.endedAt),
    end_reason: session.endReason,
    otp_verified_at: iso(session.otpVerifiedAt),
  },
  events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
});

/** One user, ending their sessions or links, one link's timeline. */
export function userRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { management } = services;

  app.get(
    "/v1/manage/partners/:partnerId/users/:userId",
    {
      schema: {
        tags,
        security,
        summary:
          "One of the partner's users (usr_…): who, how many live sessions and unused login links, the newest links",
        params: UserParams,
        response: { 200: UserSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const { partnerId, userId } = request.params;
      return userJson(await management.getUser(viewer, partnerId, userId));
    },
  );

  for (const what of ["sessions", "tickets"] as const) {
    app.post(
      `/v1/manage/partners/:partnerId/users/:userId/${what}/revoke`,
      {
        schema: {
          tags,
          security,
          summary:
            what === "sessions"
              ? "End every live session of one of the partner's users"
              : "Revoke every unused login link of one of the partner's users",
          params: UserParams,
          response: { 200: Type.Object({ count: Type.Integer() }), ...Problems },
        },
      },
      async (request) => {
        const acting = await requireConsoleChange(services, request);
        const { partnerId, userId } = request.params;
        return { count: await management.revokeUserAccess(acting, partnerId, userId, what) };
      },
    );
  }

  app.get(
    "/v1/manage/partners/:partnerId/tickets/:ticketId/timeline",
    {
      schema: {
        tags,
        security,
        summary:
          "What happened to one login link, oldest first: minted, page opened, codes, redeemed or refused and why, its session's end",
        params: TicketParams,
        response: { 200: TimelineSchema, ...Problems },
      },
    },
    async (request) => {
      const { viewer } = await requireConsole(services, request);
      const { partnerId, ticketId } = request.params;
      return timelineJson(await management.ticketTimeline(viewer, partnerId, ticketId));
    },
  );
}
