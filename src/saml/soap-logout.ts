// SAML back-channel single logout (issue 28): when a Handoff session ends, for any reason (a
// logout in a browser, a revocation through the partner API or the console, a suspended partner,
// a newer login link, a deleted user), each SAML app it signed in to whose metadata offers a SOAP
// SingleLogoutService is sent a signed LogoutRequest there, server to server (SAML Bindings §3.2).
// The deliveries are written in the transaction that ends the session (`recordSoapLogouts`); a
// worker on every node claims them (SKIP LOCKED on PostgreSQL, so each goes out from one node),
// signs a fresh LogoutRequest for each try, POSTs it through the outbound guard webhooks use, and
// reads the LogoutResponse in the answer, retrying with backoff a bounded number of times.
import type { FastifyBaseLogger } from "fastify";
import type { SamlSettings } from "../apps/saml-settings.js";
import type { AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Storage } from "../db/database.js";
import {
  deliverDue,
  LOGOUT_DELIVERY_RULES,
  outcomeOf,
  type TryOutcome,
} from "../delivery/attempts.js";
import { OutboundFailure, postOutbound } from "../delivery/outbound.js";
import type { Cidr } from "../http/cidr.js";
import { startWorker, type Worker } from "../jobs/worker.js";
import type { SamlIdp } from "./idp.js";
import type { DueSoapLogout, SoapLogoutStore } from "./logout-store.js";
import { SamlError } from "./messages.js";
import { PeerLogout } from "./peer-logout.js";
import { SOAP_ACTION } from "./soap.js";

/** The rules every logout owed to an app is sent by (src/delivery/attempts.ts). */
export const SOAP_LOGOUT_RULES = LOGOUT_DELIVERY_RULES;

export class SoapLogout {
  readonly #peers: PeerLogout;

  constructor(
    private readonly storage: Storage,
    private readonly store: SoapLogoutStore,
    private readonly clock: Clock,
    idp: SamlIdp,
    private readonly apps: AppService,
    private readonly allowed: Cidr[],
  ) {
    this.#peers = new PeerLogout(idp, clock);
  }

  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  backlog() {
    return this.store.backlog();
  }

  /**
   * The app whose own LogoutRequest ended `sessionId` is not told of it again by SOAP (it is
   * answered in its binding). A worker that took the delivery in the moment between sends it
   * anyway: the app answers that it knows no such session (mod_auth_mellon does), which is
   * retried, then given up, and ends nothing more.
   */
  async askedBy(sessionId: string, appId: string): Promise<void> {
    await this.storage.write((trx) => this.store.drop(trx, sessionId, appId));
  }

  /** Claims what is due and sends it; answers how many were delivered. */
  deliver(log: FastifyBaseLogger): Promise<number> {
    return deliverDue(this.storage, this.store, SOAP_LOGOUT_RULES, this.clock.now(), (item) =>
      this.#send(item, log),
    );
  }

  async #send(item: DueSoapLogout, log: FastifyBaseLogger): Promise<TryOutcome> {
    // The app's settings as registered now: a corrected URL or certificate is used by the next try.
    const saml = (await this.apps.find(item.app_id))?.saml ?? null;
    const soapUrl = saml?.sloSoapUrl ?? null;
    let status: number | null = null;
    let error: string | null = null;
    let final = true;
    if (!saml || !soapUrl) {
      error = "the app has no SOAP logout URL any more";
    } else {
      ({ status, error, final } = await this.#try(saml, soapUrl, item));
    }
    const outcome = outcomeOf(
      SOAP_LOGOUT_RULES,
      item.attempts,
      { status, error, final },
      this.clock.now(),
    );
    if (outcome.state !== "delivered") {
      log.info(
        { delivery: item.id, app: item.app_id, attempts: outcome.attempts, status, err: error },
        outcome.state === "failed" ? "SAML SOAP logout given up" : "SAML SOAP logout not delivered",
      );
    }
    return outcome;
  }

  /**
   * One LogoutRequest, and what came of it: an error unless the SP answered Success. `final`
   * when the SP answered for itself with another status (it has no such session, say): asking
   * again would get the same answer, so it is not retried.
   */
  async #try(
    saml: SamlSettings,
    soapUrl: string,
    item: DueSoapLogout,
  ): Promise<{ status: number | null; error: string | null; final: boolean }> {
    const request = await this.#peers.soapLogoutRequest(saml, soapUrl, {
      nameId: item.name_id,
      nameIdFormat: item.name_id_format,
      sessionIndex: item.session_index,
    });
    let status: number | null = null;
    try {
      const answer = await postOutbound(
        soapUrl,
        { "content-type": "text/xml; charset=utf-8", soapaction: SOAP_ACTION },
        request.envelope,
        { timeoutMs: SOAP_LOGOUT_RULES.timeoutMs, allowed: this.allowed },
      );
      status = answer.status;
      // A SOAP fault comes with 500 (SOAP 1.1 §6.2): its faultstring is read and kept.
      const fault = status === 500;
      if ((status < 200 || status >= 300) && !fault) {
        return { status, error: `answered ${status}`, final: false };
      }
      const told = await this.#peers.soapLogoutResponse(saml, soapUrl, answer.body, request.id);
      if (fault) return { status, error: "answered 500", final: false };
      if (told.success) return { status, error: null, final: false };
      return { status, error: "the app answered that the logout failed", final: true };
    } catch (failure) {
      if (failure instanceof OutboundFailure || failure instanceof SamlError) {
        return { status, error: failure.message, final: false };
      }
      throw failure;
    }
  }
}

/** Sends what is due every `intervalMs` (each node; claims keep them apart). */
export function startSoapLogoutWorker(
  soapLogout: SoapLogout,
  log: FastifyBaseLogger,
  intervalMs = 2000,
): Worker {
  return startWorker("SAML SOAP logout run", () => soapLogout.deliver(log), log, intervalMs);
}
