// What became of a ticket, judged from its row alone: why it can no longer be used, and the view
// its minting partner gets.
import type { TicketFailure } from "../http/errors.js";
import type { TicketCore, TicketRow } from "./store.js";

/**
 * A ticket still counts this long after its expiry, to absorb clock drift between the node that
 * minted it and the node that redeems it. Kept under a second on purpose: a link is dead one
 * second after its stated expiry (docs/security.md row 19).
 */
export const TICKET_CLOCK_TOLERANCE_MS = 500;

export interface TicketStatusView {
  id: string;
  status: "issued" | "redeemed" | "expired" | "revoked" | "rejected";
  reason: TicketFailure | null;
  user_id: string;
  app: string;
  account_id: string;
  created_at: string;
  expires_at: string;
  redeemed_at: string | null;
  revoked_at: string | null;
  rejected_at: string | null;
  last_failure: { reason: string; at: string } | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Why a ticket can no longer be used; null while it is usable. */
export function deadReason(row: TicketCore, now: number): TicketFailure | null {
  switch (row.status) {
    case "redeemed":
      return "already_used";
    case "revoked":
    case "rejected":
      return (row.reason as TicketFailure | null) ?? "revoked";
    default:
      return now > row.expires_at + TICKET_CLOCK_TOLERANCE_MS ? "expired" : null;
  }
}

/** The ticket as its minting partner sees it (`GET /v1/sso/tickets/{id}`). */
export function ticketView(row: TicketRow, now: number): TicketStatusView {
  const expired = row.status === "issued" && now > row.expires_at + TICKET_CLOCK_TOLERANCE_MS;
  return {
    id: row.id,
    status: expired ? "expired" : row.status,
    reason: expired ? "expired" : (row.reason as TicketFailure | null),
    user_id: row.user_id,
    app: row.app_id,
    account_id: row.account_id,
    created_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    redeemed_at: row.status === "redeemed" ? iso(row.finished_at) : null,
    revoked_at: row.status === "revoked" ? iso(row.finished_at) : null,
    rejected_at: row.status === "rejected" ? iso(row.finished_at) : null,
    last_failure:
      row.last_failure && row.last_failure_at !== null
        ? { reason: row.last_failure, at: new Date(row.last_failure_at).toISOString() }
        : null,
  };
}
