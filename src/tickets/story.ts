// A login link's story beyond its row: the session it made and its one-time code's sends and
// wrong tries, as the console's per-link timeline reads it (src/console/management-timeline.ts).
import { HandoffError } from "../http/errors.js";
import { type TicketStatusView, ticketView } from "./status.js";
import type { TicketStore } from "./store.js";

/** A ticket with what became of it beyond its row (TicketService.story). */
export interface TicketStory {
  view: TicketStatusView;
  sessionId: string | null;
  /** When it was redeemed, revoked or rejected (ms); null while issued. */
  finishedAt: number | null;
  expiresAt: number;
  /** The session it made, while its row is kept. */
  session: {
    id: string;
    createdAt: number;
    expiresAt: number;
    endedAt: number | null;
    endReason: string | null;
    otpVerifiedAt: number | null;
  } | null;
  /** Its one-time code: how many were sent, the last when, how many wrong ones were typed. */
  otp: { sends: number; lastSentAt: number | null; failures: number } | null;
}

/**
 * A ticket of this minting partner with the session it made and its one-time code's sends and
 * wrong tries (the console's per-link timeline); not_found for anyone else.
 */
export async function ticketStory(
  store: TicketStore,
  now: number,
  partnerId: string,
  id: string,
): Promise<TicketStory> {
  const row = await store.storyOf(partnerId, id);
  if (!row) throw new HandoffError("not_found", `no ticket ${id}`);
  const ms = (value: number | string | null) => (value === null ? null : Number(value));
  return {
    view: ticketView(row, now),
    sessionId: row.session_id,
    finishedAt: ms(row.finished_at),
    expiresAt: Number(row.expires_at),
    session:
      row.session_id === null || row.session_created_at === null
        ? null
        : {
            id: row.session_id,
            createdAt: Number(row.session_created_at),
            expiresAt: Number(row.session_expires_at),
            endedAt: ms(row.session_ended_at),
            endReason: row.session_end_reason,
            otpVerifiedAt: ms(row.session_otp_verified_at),
          },
    otp:
      row.otp_sends === null
        ? null
        : {
            sends: Number(row.otp_sends),
            lastSentAt: ms(row.otp_last_sent_at),
            failures: Number(row.otp_failures),
          },
  };
}
