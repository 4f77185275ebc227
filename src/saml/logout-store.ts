// The saml_logout_deliveries table: LogoutRequests owed by SOAP to SAML apps for ended sessions
// (back-channel single logout, src/saml/soap-logout.ts). The only file with its SQL.
import type { NameIdFormat, SamlSettings } from "../apps/saml-settings.js";
import { newId } from "../crypto/secrets.js";
import type { Tx } from "../db/database.js";
import { type Claimed, DeliveryQueue, newDelivery, pruneFinished } from "../delivery/attempts.js";

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
          ...newDelivery(now),
        })),
      )
      .onConflict((oc) => oc.columns(["session_id", "app_id"]).doNothing())
      .execute();
  }
}

/** A LogoutRequest to send, as a worker claimed it. */
export interface DueSoapLogout extends Claimed {
  session_id: string;
  app_id: string;
  name_id: string;
  name_id_format: NameIdFormat;
  session_index: string;
}

/** The SOAP logout deliveries' table (src/delivery/attempts.ts). */
export class SoapLogoutStore extends DeliveryQueue<"saml_logout_deliveries"> {
  protected readonly table = "saml_logout_deliveries";

  /** Claims due deliveries for `claimMs`, with whom and which session a LogoutRequest names. */
  claim(trx: Tx, now: number, limit: number, claimMs: number): Promise<DueSoapLogout[]> {
    return this.claimWith(trx, now, limit, claimMs, (due) =>
      due.select(["session_id", "app_id", "name_id", "name_id_format", "session_index"]),
    );
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

  /** Deletes up to `limit` deliveries finished (delivered or given up) before `before`. */
  static prune(trx: Tx, before: number, limit: number): Promise<number> {
    return pruneFinished(trx, "saml_logout_deliveries", before, limit);
  }
}
