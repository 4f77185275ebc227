// OpenID Connect Back-Channel Logout 1.0: when a Handoff session ends, for any reason (logout,
// RP-initiated logout, SAML single logout, a revocation, a suspended partner, a newer login link,
// a deleted user), each client that got a grant from it and registered a back-channel logout URI
// is sent a Logout Token. The deliveries are written in the transaction that ends the session
// (`recordBackchannelLogouts` in store.ts); a worker on every node claims them (SKIP LOCKED on
// PostgreSQL, so each goes out from one node), signs a fresh token and POSTs it through the
// outbound guard webhooks use, retrying with backoff a bounded number of times.
import type { FastifyBaseLogger } from "fastify";
import { importJWK, type JWK, SignJWT } from "jose";
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
import type { KeyStore } from "../keys/service.js";
import type { DueLogout, LogoutDeliveryStore } from "./store.js";

/** The rules every logout owed to an app is sent by (src/delivery/attempts.ts), and a token's life. */
export const LOGOUT_RULES = {
  ...LOGOUT_DELIVERY_RULES,
  /** A logout token is signed afresh for each try and lives this long (seconds). */
  tokenTtlSeconds: 120,
} as const;

/** The one event a Logout Token carries (Back-Channel Logout 1.0 §2.4). */
const LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** What ID tokens are signed with, and so logout tokens (src/oidc/configuration.ts). */
const ALG = "RS256";

export class BackchannelLogout {
  /** Imported signing keys by kid: a key is imported once, not once per token. */
  readonly #imported = new Map<string, Promise<CryptoKey | Uint8Array>>();

  constructor(
    private readonly storage: Storage,
    private readonly store: LogoutDeliveryStore,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly apps: AppService,
    /** The OIDC issuer (`$HANDOFF_BASE_URL/oidc`): the tokens' `iss`. */
    private readonly issuer: string,
    private readonly allowed: Cidr[],
  ) {}

  /** Deliveries waiting, and when the oldest was made (for /metrics). */
  backlog() {
    return this.store.backlog();
  }

  /** Claims what is due and sends it; answers how many were delivered. */
  deliver(log: FastifyBaseLogger): Promise<number> {
    return deliverDue(this.storage, this.store, LOGOUT_RULES, this.clock.now(), (item) =>
      this.#send(item, log),
    );
  }

  /**
   * A Logout Token for one client: signed like its ID tokens (the provider's RS256 key, the
   * first RS256 key of the set oidc-provider signs with), `typ` logout+jwt, never a nonce.
   */
  async logoutToken(item: Pick<DueLogout, "id" | "client_id" | "sub" | "sid">): Promise<string> {
    await this.keys.ensure(ALG);
    const jwk = this.keys.privateJwks().keys.find((key: JWK) => key.alg === ALG);
    if (!jwk?.kid) throw new Error("no RS256 signing key");
    let key = this.#imported.get(jwk.kid);
    if (!key) {
      key = importJWK(jwk, ALG);
      this.#imported.set(jwk.kid, key);
    }
    const iat = Math.floor(this.clock.now() / 1000);
    return (
      new SignJWT({
        events: { [LOGOUT_EVENT]: {} },
        ...(item.sid ? { sid: item.sid } : {}),
      })
        .setProtectedHeader({ alg: ALG, kid: jwk.kid, typ: "logout+jwt" })
        .setIssuer(this.issuer)
        .setAudience(item.client_id)
        .setSubject(item.sub)
        // The same on every try, so a client that got an earlier one can drop this one.
        .setJti(item.id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + LOGOUT_RULES.tokenTtlSeconds)
        .sign(await key)
    );
  }

  async #send(item: DueLogout, log: FastifyBaseLogger): Promise<TryOutcome> {
    // The client's URI as registered now: a corrected URI is used by the next try.
    const uri = (await this.apps.find(item.client_id))?.oidc.backchannelLogoutUri ?? null;
    let status: number | null = null;
    let error: string | null = null;
    if (uri === null) {
      error = "the client has no back-channel logout URI any more";
    } else {
      try {
        const body = new URLSearchParams({ logout_token: await this.logoutToken(item) });
        const answer = await postOutbound(
          uri,
          { "content-type": "application/x-www-form-urlencoded" },
          body.toString(),
          { timeoutMs: LOGOUT_RULES.timeoutMs, allowed: this.allowed },
        );
        status = answer.status;
        if (status < 200 || status >= 300) error = `answered ${status}`;
      } catch (failure) {
        if (!(failure instanceof OutboundFailure)) throw failure;
        error = failure.message;
      }
    }
    const outcome = outcomeOf(
      LOGOUT_RULES,
      item.attempts,
      { status, error, final: uri === null },
      this.clock.now(),
    );
    if (outcome.state !== "delivered") {
      log.info(
        {
          delivery: item.id,
          client: item.client_id,
          attempts: outcome.attempts,
          status,
          err: error,
        },
        outcome.state === "failed"
          ? "back-channel logout given up"
          : "back-channel logout not delivered",
      );
    }
    return outcome;
  }
}

/** Sends what is due every `intervalMs` (each node; claims keep them apart). */
export function startBackchannelWorker(
  backchannel: BackchannelLogout,
  log: FastifyBaseLogger,
  intervalMs = 2000,
): Worker {
  return startWorker("back-channel logout run", () => backchannel.deliver(log), log, intervalMs);
}
