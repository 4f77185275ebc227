// Redemption's parts: the preview, the landing, the transaction that opens the session, refusals.
import type { App } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import { mintSecret, SecretPrefix } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import type { OtpService } from "../otp/service.js";
import type { SessionService } from "../sessions/service.js";
import type { FailureReason, OtpMode, Preview } from "./model.js";
import { landingsOf, redemption } from "./rows.js";
import { deadReason, TICKET_CLOCK_TOLERANCE_MS } from "./status.js";
import type { TicketCore, TicketStore } from "./store.js";

/** Another redemption moved the ticket off "issued" first. */
export class LostRace extends Error {}
/** The one-time code given with the redemption was wrong. */
export class WrongCode extends Error {}

/** What the browser brings to a redemption. */
export interface RedeemRequest {
  ip: string;
  presentedSession?: string | undefined;
  view?: string | undefined;
  /** The one-time code the person typed, when the ticket asks for one. */
  code?: string | undefined;
}

/** What opening a session touches: the ticket service's storage, stores and services. */
export interface SessionOpening {
  storage: Storage;
  store: TicketStore;
  sessions: SessionService;
  otp: OtpService;
  audit: AuditLog;
}

/** What the page in front of the link shows for a found ticket. */
export function previewOf(row: TicketCore, app: App, now: number): Preview {
  const reason = deadReason(row, now);
  if (reason) return { ok: false, reason, app };
  return {
    ok: true,
    app,
    expiresAt: row.expires_at,
    accountId: row.account_id,
    landings: Object.keys(landingsOf(row)),
    ticketId: row.id,
    partnerId: row.partner_id,
    otp: row.otp as OtpMode,
  };
}

/**
 * The path to land on: the ticket's return path, or the page a view names (a shape that offers
 * several pages for one token, Enkash's views, lists them at mint); undefined: no such view.
 */
export function landingFor(row: TicketCore, view: string | undefined): string | undefined {
  if (view === undefined) return row.return_to;
  return landingsOf(row)[view];
}

/**
 * In one transaction: takes the one-time code (when the ticket owes one), marks the ticket used
 * (only if it is still issued), creates the session and ends the one the browser held. Throws
 * WrongCode for a wrong code and LostRace when another redemption won.
 */
export async function openSession(
  deps: SessionOpening,
  row: TicketCore,
  request: RedeemRequest,
  now: number,
  sessionSeconds: number,
): Promise<{ id: string; token: string }> {
  const secret = mintSecret(SecretPrefix.session);
  const code = request.code;
  return deps.storage.write(async (trx, changed) => {
    if (row.otp !== "none" && !(await deps.otp.consume(trx, row.id, code ?? "", now))) {
      throw new WrongCode();
    }
    // The conditional update is the lock: only one redemption can move the row off "issued".
    const used = await deps.store.use(trx, row.id, {
      now,
      sessionId: secret.id,
      notBefore: now - TICKET_CLOCK_TOLERANCE_MS,
    });
    if (!used) throw new LostRace();
    const created = await deps.sessions.create(trx, secret, {
      userId: row.user_id,
      partnerId: row.partner_id,
      accountId: row.account_id,
      appId: row.app_id,
      ticketId: row.id,
      absoluteSeconds: sessionSeconds,
      otpMode: row.otp === "none" ? null : row.otp,
    });
    const replaced = await deps.sessions.endWithin(
      trx,
      request.presentedSession,
      "replaced",
      changed,
    );
    await deps.audit.record(
      trx,
      redemption(row, now, request.ip, "ok", {
        session: created.id,
        ...(replaced && { replaced_session: replaced.id }),
      }),
    );
    return created;
  });
}

/** What a partner needs to tell clock skew from a slow user, or which address was expected. */
export function failureDetail(
  row: TicketCore,
  reason: FailureReason,
  now: number,
): Record<string, unknown> | undefined {
  return reason === "expired"
    ? { expires_at: new Date(row.expires_at).toISOString(), late_ms: now - row.expires_at }
    : reason === "ip_mismatch"
      ? { bound_ip: row.bind_ip }
      : undefined;
}
