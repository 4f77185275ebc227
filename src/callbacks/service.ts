// Call-backs (seed 002's tpd.auth_token: "token provided by the client ... for subsequent API
// calls (balance, transaction, refund, verification)"). A partner registers an endpoint per kind;
// an app asks Handoff to call it for one of the partner's users. Handoff calls with the user's
// auth_token as `Authorization: Bearer`, the app's JSON body, and a Standard Webhooks signature
// made with the endpoint's secret, and relays the answer. The app never sees the auth_token.
// Money-moving kinds (debit, refund) need an Idempotency-Key: the first answer is kept (sealed)
// and a repeated key gets it again without a second call, across restarts; a call the partner
// answered nothing to may be repeated with the same key, which Handoff passes on so the partner
// can drop a duplicate.
import { createHash, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import {
  checkOutboundUrl,
  type OutboundAnswer,
  OutboundFailure,
  postOutbound,
} from "../delivery/outbound.js";
import type { Cidr } from "../http/cidr.js";
import { HandoffError } from "../http/errors.js";
import type { CallbackRow, CallbackStore } from "./store.js";

export const CALLBACK_KINDS = ["balance", "debit", "refund", "verify"] as const;
export type CallbackKind = (typeof CALLBACK_KINDS)[number];
const MONEY = new Set<string>(["debit", "refund"]);
const DEFAULT_TIMEOUT_MS = 5000;
const KEY = /^[\x21-\x7e]{1,255}$/;

export type CallbackView = {
  kind: string;
  url: string;
  timeout_ms: number;
  created_at: string;
  updated_at: string;
};

/** What the app gets back: the partner's status and body, or Handoff's own failure. */
export interface CallbackAnswer {
  status: number;
  contentType: string | null;
  body: string;
  /** True when this is the kept answer to an earlier call with the same Idempotency-Key. */
  replayed: boolean;
}

const secretContext = (partnerId: string, kind: string) => `callback:${partnerId}:${kind}`;
const answerContext = (id: string) => `callback-call:${id}`;

function view(row: CallbackRow): CallbackView {
  return {
    kind: row.kind,
    url: row.url,
    timeout_ms: row.timeout_ms,
    created_at: new Date(Number(row.created_at)).toISOString(),
    updated_at: new Date(Number(row.updated_at)).toISOString(),
  };
}

export function checkKind(kind: string): CallbackKind {
  if (!(CALLBACK_KINDS as readonly string[]).includes(kind)) {
    throw new HandoffError("not_found", `no call-back kind ${kind}: ${CALLBACK_KINDS.join(", ")}`);
  }
  return kind as CallbackKind;
}

export class CallbackService {
  constructor(
    private readonly storage: Storage,
    private readonly store: CallbackStore,
    private readonly clock: Clock,
    private readonly sealer: Sealer,
    private readonly allowed: Cidr[],
    private readonly audit: AuditLog,
  ) {}

  async list(partnerId: string): Promise<CallbackView[]> {
    return (await this.store.list(partnerId)).map(view);
  }

  /**
   * Registers (or changes) a partner's endpoint for a kind. A new endpoint gets a signing
   * secret, answered once; a changed one keeps its secret (null).
   */
  async set(
    partnerId: string,
    kind: string,
    input: { url: string; timeoutMs?: number },
    by: Actor = CLI,
  ): Promise<{ callback: CallbackView; secret: string | null }> {
    checkKind(kind);
    const url = checkOutboundUrl(input.url, this.allowed, "url");
    const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 30_000) {
      throw new HandoffError("invalid_request", "timeout_ms must be 100 to 30000");
    }
    const existing = await this.store.find(partnerId, kind);
    const secret = existing ? null : `whsec_${randomBytes(32).toString("base64")}`;
    const now = this.clock.now();
    const row: CallbackRow = {
      partner_id: partnerId,
      kind,
      url,
      timeout_ms: timeoutMs,
      secret_sealed: secret
        ? this.sealer.seal(secret, secretContext(partnerId, kind))
        : (existing?.secret_sealed ?? ""),
      created_at: existing ? Number(existing.created_at) : now,
      updated_at: now,
    };
    await this.storage.write(async (trx) => {
      await this.store.upsert(trx, row);
      await this.audit.record(trx, changeEntry(by, now, "callback.set", partnerId, kind, { url }));
    });
    return { callback: view(row), secret };
  }

  async remove(partnerId: string, kind: string, by: Actor = CLI): Promise<void> {
    checkKind(kind);
    const now = this.clock.now();
    const removed = await this.storage.write(async (trx) => {
      const gone = await this.store.remove(trx, partnerId, kind);
      if (gone)
        await this.audit.record(trx, changeEntry(by, now, "callback.remove", partnerId, kind));
      return gone;
    });
    if (!removed) throw new HandoffError("not_found", `no ${kind} call-back`);
  }

  /** Calls the partner's endpoint for `kind` on behalf of `appId`, for a user of `partnerId`. */
  async call(input: {
    appId: string;
    kind: CallbackKind;
    partnerId: string;
    userId: string;
    authToken: string;
    body: string;
    idempotencyKey: string | undefined;
    ip: string | null;
  }): Promise<CallbackAnswer> {
    const endpoint = await this.store.find(input.partnerId, input.kind);
    if (!endpoint)
      throw new HandoffError("no_callback", `the partner has no ${input.kind} endpoint`);
    if (!MONEY.has(input.kind)) {
      return this.#send(endpoint, input, newId("cbk"), undefined);
    }
    const key = input.idempotencyKey;
    if (!key || !KEY.test(key)) {
      throw new HandoffError(
        "idempotency_key_required",
        "debit and refund need an Idempotency-Key header (1 to 255 visible ASCII characters)",
      );
    }
    const hash = createHash("sha256")
      .update(`${input.kind}\n${input.userId}\n${input.body}`)
      .digest("hex");
    const now = this.clock.now();
    const until = now + endpoint.timeout_ms + 1000;
    const call = await this.storage.write(async (trx) => {
      const id = newId("cbk");
      const fresh = await this.store.begin(trx, {
        id,
        app_id: input.appId,
        idempotency_key: key,
        kind: input.kind,
        partner_id: input.partnerId,
        user_id: input.userId,
        request_hash: hash,
        created_at: now,
        attempt_until: until,
        status: null,
        answer_sealed: null,
        completed_at: null,
      });
      if (fresh) return { id, send: true };
      const earlier = await this.store.findCall(trx, input.appId, key);
      if (!earlier || earlier.request_hash !== hash) {
        throw new HandoffError(
          "idempotency_conflict",
          "this Idempotency-Key was used for another request",
        );
      }
      if (earlier.completed_at !== null) return { id: earlier.id, send: false, earlier };
      if (!(await this.store.retake(trx, earlier.id, now, until))) {
        throw new HandoffError(
          "idempotency_conflict",
          "the first call with this key is still waiting for the partner",
        );
      }
      return { id: earlier.id, send: true };
    });
    if (!call.send && call.earlier) {
      const kept = JSON.parse(
        this.sealer.open(call.earlier.answer_sealed ?? "", answerContext(call.id)),
      ) as {
        contentType: string | null;
        body: string;
      };
      return { status: Number(call.earlier.status), ...kept, replayed: true };
    }
    return this.#send(endpoint, input, call.id, key);
  }

  /** One call to the partner; a money call's answer is kept, or its key released on no answer. */
  async #send(
    endpoint: CallbackRow,
    input: {
      appId: string;
      kind: string;
      partnerId: string;
      userId: string;
      authToken: string;
      body: string;
      ip: string | null;
    },
    id: string,
    key: string | undefined,
  ): Promise<CallbackAnswer> {
    const secret = this.sealer.open(
      endpoint.secret_sealed,
      secretContext(endpoint.partner_id, endpoint.kind),
    );
    const at = new Date(this.clock.now());
    const started = performance.now();
    let answer: OutboundAnswer | null = null;
    let failure: OutboundFailure | null = null;
    try {
      answer = await postOutbound(
        endpoint.url,
        {
          authorization: `Bearer ${input.authToken}`,
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
          "webhook-signature": new Webhook(secret).sign(id, at, input.body),
          ...(key ? { "idempotency-key": key } : {}),
        },
        input.body,
        { timeoutMs: endpoint.timeout_ms, allowed: this.allowed },
      );
    } catch (error) {
      if (!(error instanceof OutboundFailure)) throw error;
      failure = error;
    }
    const duration = Math.round(performance.now() - started);
    const now = this.clock.now();
    await this.storage.write(async (trx) => {
      if (key && answer) {
        const sealed = this.sealer.seal(
          JSON.stringify({ contentType: answer.contentType, body: answer.body }),
          answerContext(id),
        );
        await this.store.complete(trx, id, answer.status, sealed, now);
      } else if (key) {
        await this.store.release(trx, id, now);
      }
      await this.audit.record(trx, {
        at: now,
        actor: input.appId,
        action: `callback.${input.kind}`,
        partnerId: input.partnerId,
        subject: input.userId,
        ip: input.ip,
        outcome: answer ? String(answer.status) : (failure?.reason ?? "failed"),
        detail: { call_id: id, duration_ms: duration, partner_status: answer?.status ?? null },
      });
    });
    if (failure?.reason === "timeout") {
      throw new HandoffError(
        "partner_timeout",
        `no answer from the partner in ${endpoint.timeout_ms} ms`,
      );
    }
    if (!answer)
      throw new HandoffError("partner_error", `the partner's endpoint: ${failure?.message}`);
    return { ...answer, replayed: false };
  }
}
