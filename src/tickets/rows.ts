// A ticket's rows: the one a mint writes, what it says beyond its columns (the landing pages it
// offers), and the audit entries of its mint and its redemption.
import type { AuditEntry } from "../audit/store.js";
import type { Sealer } from "../crypto/seal.js";
import type { MintedSecret } from "../crypto/secrets.js";
import type { MintInput } from "./model.js";
import type { NewTicket, TicketCore } from "./store.js";

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

/** Where a minted ticket's row comes from besides the partner's request. */
interface Minting {
  secret: MintedSecret;
  accountId: string;
  userId: string;
  appId: string;
  returnTo: string;
  bindIp: string | null;
}

/** A new ticket's row: the request's options, JSON where they are objects, partner data sealed. */
export function newTicket(
  input: MintInput,
  m: Minting,
  now: number,
  expiresAt: number,
  sealer: Sealer,
): NewTicket {
  return {
    id: m.secret.id,
    secret_hash: m.secret.hash,
    partner_id: input.partnerId,
    account_id: m.accountId,
    api_token_id: input.apiTokenId,
    user_id: m.userId,
    app_id: m.appId,
    return_to: m.returnTo,
    bind_ip: m.bindIp,
    fields: input.fields ? JSON.stringify(input.fields) : null,
    otp: input.otp ?? "none",
    partner_data_sealed: input.partnerData
      ? sealer.seal(JSON.stringify(input.partnerData), `ticket:${m.secret.id}`)
      : null,
    context: input.context ? JSON.stringify(input.context) : null,
    created_at: now,
    expires_at: expiresAt,
    session_seconds: input.sessionSeconds ?? null,
  };
}

/** The audit entry of a mint. */
export function minted(
  input: MintInput,
  ticketId: string,
  user: { id: string; created: boolean },
  appId: string,
  accountId: string,
  at: number,
): AuditEntry {
  return {
    at,
    actor: input.partnerId,
    action: "ticket.mint",
    partnerId: input.partnerId,
    subject: ticketId,
    ip: input.ip,
    outcome: "ok",
    detail: {
      user: user.id,
      app: appId,
      account: accountId,
      ...(user.created && { new_user: true }),
    },
  };
}
