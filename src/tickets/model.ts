// The words of a ticket: what a mint takes and gives, what a redemption and the page in front of
// a link answer.
import type { App } from "../apps/service.js";
import type { TicketFailure } from "../http/errors.js";
import type { OtpMode } from "../otp/modes.js";
import type { UserAttributes } from "../users/service.js";

export { OTP_MODES, type OtpMode } from "../otp/modes.js";

export type FailureReason = TicketFailure;

export interface MintInput {
  /** The partner whose credentials are calling. */
  partnerId: string;
  apiTokenId: string | null;
  /** A linked sub-account to act for; the user then belongs to it. */
  onBehalfOf?: string | undefined;
  user: UserAttributes;
  appId: string;
  returnTo?: string | undefined;
  ttlSeconds?: number | undefined;
  bindIp?: string | undefined;
  fields?: Record<string, unknown> | undefined;
  otp?: OtpMode | undefined;
  partnerData?: Record<string, unknown> | undefined;
  /** A shorter session limit than the app's, set by a seed's shape (BlueSnap: 30 minutes). */
  sessionSeconds?: number | undefined;
  /** What a seed's shape carries into the session (not settable through the native API). */
  context?: Record<string, unknown> | undefined;
  /** The caller's address, for the audit log. */
  ip: string;
}

export interface MintedTicket {
  id: string;
  ticket: string;
  expiresAt: number;
  userId: string;
  app: App;
}

export type RedeemOutcome =
  | {
      ok: true;
      sessionToken: string;
      sessionId: string;
      location: string;
      app: App;
      /** The session's absolute limit: the app's, or the shorter one the ticket carries. */
      sessionSeconds: number;
    }
  | { ok: false; reason: FailureReason; app: App | null }
  /** The ticket asks for a one-time code: none was given, or a wrong one (tries are left). */
  /** The code step again; `wrongCode` says why: a wrong code, or one that has run out. */
  | { ok: "step"; app: App; wrongCode: false | "wrong" | "expired" };

/** What the page in front of a login link needs before the person continues. */
export type Preview =
  | {
      ok: true;
      app: App;
      expiresAt: number;
      accountId: string;
      landings: string[];
      ticketId: string;
      partnerId: string;
      otp: OtpMode;
    }
  | { ok: false; reason: FailureReason; app: App | null };

export function loginUrl(baseUrl: string, ticket: string): string {
  return `${baseUrl}/login/${ticket}`;
}
