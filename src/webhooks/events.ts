// Which changes partners hear about. Every such change is already written to the audit log in
// its own transaction; the event is derived from that entry and written beside it (the audit log's
// follower, `WebhookListeners.follow` in listeners.ts), so no event is lost or invented on a crash.
import type { AuditEntry } from "../audit/store.js";

export const EVENT_TYPES = [
  "user.created",
  "ticket.redeemed",
  "ticket.rejected",
  "session.ended",
  "api_token.created",
  "api_token.revoked",
  "partner_token.rotated",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  partnerId: string;
  data: Record<string, unknown>;
}

/** The event an audit entry reports, or null. Never copies a secret: entries hold none. */
export function eventOf(entry: AuditEntry): NewEvent | null {
  const partnerId = entry.partnerId;
  if (!partnerId) return null;
  const detail = entry.detail ?? {};
  const of = (type: EventType, data: Record<string, unknown>): NewEvent => ({
    type,
    partnerId,
    data,
  });
  switch (entry.action) {
    case "ticket.mint":
      return detail.new_user === true ? of("user.created", { user_id: detail.user }) : null;
    case "ticket.redeem":
      return entry.outcome === "ok"
        ? of("ticket.redeemed", {
            ticket_id: entry.subject,
            session_id: detail.session ?? null,
            // The browser's earlier session, which this one replaced (session.ended is not sent
            // for it separately: the redemption is one change).
            ...(detail.replaced_session ? { replaced_session_id: detail.replaced_session } : {}),
          })
        : of("ticket.rejected", { ticket_id: entry.subject, reason: entry.outcome });
    case "session.end":
      return of("session.ended", { session_id: entry.subject, reason: entry.outcome });
    case "user.sessions.revoke":
      if (detail.sessions === 0) return null;
      return of("session.ended", {
        user_id: entry.subject,
        reason: "revoked",
        sessions: detail.sessions,
      });
    case "api_token.create":
      return of("api_token.created", { api_token_id: entry.subject });
    case "api_token.revoke":
      return of("api_token.revoked", { api_token_id: entry.subject });
    case "partner_token.rotate":
      return of("partner_token.rotated", { partner_token_id: entry.subject });
    default:
      return null;
  }
}
