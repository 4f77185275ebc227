// The saml_logout_deliveries table: LogoutRequests owed by SOAP to SAML apps for ended sessions
// (back-channel single logout, src/saml/soap-logout.ts). The only file with its SQL.
import type { NameIdFormat, SamlSettings } from "../apps/saml-settings.js";
import { newId } from "../crypto/secrets.js";
import { claimDue } from "../db/claim.js";
import type { DialectName, Storage, Tx } from "../db/database.js";
import { backlogOf, pruneFinished, recordTry, type TryOutcome } from "../delivery/attempts.js";

/** How many session ids one query names (SQLite binds at most 32 766 parameters). */
const IDS_PER_QUERY = 500;

/** Whether an app's stored SAML settings (JSON) offer a SOAP logout URL. */
function offersSoap(saml: string | null): boolean {
  if (saml === null) return false;
  return Boolean((JSON.parse(saml) as SamlSettings).sloSoapUrl);
}

/**
 * Writes, in the transaction that ends these Handoff sessions, one SOAP logout delivery for each
 * SAML app one of them signed in to whose metadata offers a SOAP logout URL: one per (session,
 * app), naming the person and session as the app was told them at sign-in (saml_sessions).
 */
export async function recordSoapLogouts(
  trx: Tx,
  sessionIds: readonly string[],
  now: number,
): Promise<void> {
  for (let at = 0; at < sessionIds.length; at += IDS_PER_QUERY) {
    const ids = sessionIds.slice(at, at + IDS_PER_QUERY);
    const signedIn = await trx
      .selectFrom("saml_sessions")
      .select(["session_id", "app_id", "name_id", "name_id_format", "session_index"])
      .where("session_id", "in", ids)
      .execute();
    if (signedIn.length === 0) continue;
    // The settings are JSON: which apps offer SOAP is read here, once per app, not in SQL.
    const apps = await trx
      .selectFrom("apps")
      .select(["id", "saml"])
      .where("id", "in", [...new Set(signedIn.map((row) => row.app_id))])
      .execute();
    const soap = new Set(apps.filter((app) => offersSoap(app.saml)).map((app) => app.id));
    const owed = signedIn.filter((row) => soap.has(row.app_id));
    if (owed.length === 0) continue;
    await trx
      .insertInto("saml_logout_deliveries")
      .values(
        owed.map((row) => ({
          id: newId("sld"),
          ...row,
          state: "pending" as const,
          next_attempt_at: now,
          claimed_until: null,
          last_status: null,
          last_error: null,
          created_at: now,
          finished_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(["session_id", "app_id"]).doNothing())
      .execute();
  }
}

/** A LogoutRequest to send, as a worker claimed it. */
export interface DueSoapLogout {
  id: string;
  session_id: string;
  app_id: string;
  name_id: string;
  name_id_format: NameIdFormat;
  session_index: string;
  attempts: number;
  /** The claim taken on it: finishing needs the same. */
  claimedUntil: number;
}

export class SoapLogoutStore {
  constructor(
    private readonly storage: Storage,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Claims due deliveries for `claimMs`: on PostgreSQL with FOR UPDATE SKIP LOCKED, so each is
   * taken by one node (src/db/claim.ts).
   */
  async claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<DueSoapLogout[]> {
    const select = trx
      .selectFrom("saml_logout_deliveries")
      .select([
        "id",
        "session_id",
        "app_id",
        "name_id",
        "name_id_format",
        "session_index",
        "attempts",
      ])
      .where("state", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .orderBy("next_attempt_at")
      .limit(limit);
    const due = await claimDue(trx, this.dialect, "saml_logout_deliveries", select, now + claimMs);
    return due.map((row) => ({
      ...row,
      attempts: Number(row.attempts),
      claimedUntil: now + claimMs,
    }));
  }

  /** Records a try's outcome, only under the claim it was made under. */
  finish(trx: Tx, id: string, claimedUntil: number, outcome: TryOutcome): Promise<void> {
    return recordTry(trx, "saml_logout_deliveries", id, claimedUntil, outcome);
  }

  /**
   * Drops the delivery to the app that itself asked for the logout (it knows), unless a worker
   * has already taken it: then the app is told once more, and answers for a session it dropped.
   */
  async drop(trx: Tx, sessionId: string, appId: string): Promise<void> {
    await trx
      .deleteFrom("saml_logout_deliveries")
      .where("session_id", "=", sessionId)
      .where("app_id", "=", appId)
      .where("attempts", "=", 0)
      .where("claimed_until", "is", null)
      .execute();
  }

  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  backlog(): Promise<{ count: number; oldestAt: number | null }> {
    return backlogOf(this.storage.read, "saml_logout_deliveries");
  }

  /** Deletes up to `limit` deliveries finished (delivered or given up) before `before`. */
  static prune(trx: Tx, before: number, limit: number): Promise<number> {
    return pruneFinished(trx, "saml_logout_deliveries", before, limit);
  }
}
