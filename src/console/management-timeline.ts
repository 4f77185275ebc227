// One login link's story in time order (the console's per-link timeline): its audit entries and
// its session's, and what only the rows say (a code sent, an expiry, a session that ended
// without an entry of its own: replaced, revoked with all of a user's, or at its limit).
import type { AuditRow } from "../audit/store.js";
import type { TicketStory } from "../tickets/service.js";

/** What happened to a link, step by step; `outcome` is "ok" or a reason code. */
export type TimelineStep =
  | "minted"
  | "page_opened"
  | "otp_sent"
  | "otp_wrong"
  | "otp_entered"
  | "redeemed"
  | "refused"
  | "revoked"
  | "expired"
  | "session_ended";

export interface TimelineEvent {
  at: number;
  step: TimelineStep;
  outcome: string;
  /** Who acted: a partner id, an operator's or partner user's id, "browser", "system". */
  actor: string;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface LinkTimeline {
  ticket: TicketStory["view"];
  session: TicketStory["session"];
  events: TimelineEvent[];
}

/** The most entries one link's timeline reads (a link opened a hundred times writes only once). */
export const TIMELINE_MAX = 200;

/** Which step comes first when two share a millisecond. */
const ORDER: TimelineStep[] = [
  "minted",
  "page_opened",
  "otp_sent",
  "otp_wrong",
  "otp_entered",
  "redeemed",
  "refused",
  "revoked",
  "expired",
  "session_ended",
];

function stepOf(entry: AuditRow, detail: Record<string, unknown> | null): TimelineStep | null {
  switch (entry.action) {
    case "ticket.mint":
      return "minted";
    case "ticket.otp_wrong":
      return "otp_wrong";
    case "ticket.redeem":
      // A dead link's page, opened: noted with its reason (TicketService.preview).
      if (detail?.seen_on === "page") return "page_opened";
      return entry.outcome === "ok" ? "redeemed" : "refused";
    case "ticket.revoke":
      return entry.outcome === "ok" ? "revoked" : null;
    case "session.end":
      return "session_ended";
    default:
      return null;
  }
}

/** The link's events, oldest first, from its audit entries and its rows. */
export function linkTimeline(story: TicketStory, entries: AuditRow[]): LinkTimeline {
  const events: TimelineEvent[] = [];
  for (const entry of entries) {
    const detail =
      entry.detail === null ? null : (JSON.parse(entry.detail) as Record<string, unknown>);
    const step = stepOf(entry, detail);
    if (!step) continue;
    events.push({
      at: entry.at,
      step,
      outcome: entry.outcome,
      actor: entry.actor,
      ip: entry.ip,
      detail,
    });
  }
  const has = (step: TimelineStep) => events.some((e) => e.step === step);
  const fromRow = (
    at: number,
    step: TimelineStep,
    outcome: string,
    detail: Record<string, unknown> | null = null,
  ) => events.push({ at, step, outcome, actor: "system", ip: null, detail });

  // What no entry records: the last code sent (the row keeps only the last send's time)…
  const { otp, session, view } = story;
  if (otp?.lastSentAt != null) fromRow(otp.lastSentAt, "otp_sent", "ok", { sends: otp.sends });
  if (session?.otpVerifiedAt != null) fromRow(session.otpVerifiedAt, "otp_entered", "ok");
  // …a link revoked with all of its user's, or its partner's suspension…
  if (view.status === "revoked" && !has("revoked") && story.finishedAt !== null) {
    fromRow(story.finishedAt, "revoked", view.reason ?? "revoked");
  }
  // …a link left unused past its expiry…
  if (view.status === "expired") fromRow(story.expiresAt, "expired", "expired");
  // …and a session that ended without an entry of its own (replaced, revoked, suspended).
  if (session?.endedAt != null && !has("session_ended")) {
    fromRow(session.endedAt, "session_ended", session.endReason ?? "ended", {
      session: session.id,
    });
  }
  events.sort((a, b) => a.at - b.at || ORDER.indexOf(a.step) - ORDER.indexOf(b.step));
  return { ticket: view, session, events };
}
