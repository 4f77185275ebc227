// What a ticket's row says beyond its columns: the landing pages it offers, and the audit entry
// of its redemption.
import type { AuditEntry } from "../audit/store.js";
import type { TicketCore } from "./store.js";

/** The named landing pages a ticket offers besides its return path (checked at mint). */
export function landingsOf(row: TicketCore): Record<string, string> {
  if (!row.context) return {};
  const landings = (JSON.parse(row.context) as { landings?: unknown }).landings;
  return landings && typeof landings === "object" ? (landings as Record<string, string>) : {};
}

/** The audit entry of a redemption, successful or not. */
export function redemption(
  row: TicketCore,
  at: number,
  ip: string,
  outcome: string,
  detail?: Record<string, unknown>,
): AuditEntry {
  return {
    at,
    actor: "browser",
    action: "ticket.redeem",
    partnerId: row.partner_id,
    subject: row.id,
    ip,
    outcome,
    ...(detail && { detail }),
  };
}
