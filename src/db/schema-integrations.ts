// The tables of the integrations: SAML keys and request ids, partners' call-back endpoints and
// calls, and event webhooks (src/db/schema.ts gathers every table).
import type { Generated } from "kysely";

export interface SamlKeyTable {
  kid: string;
  /** The RSA private key (PKCS#8 PEM), sealed with AES-256-GCM. */
  private_pem_sealed: string;
  /** Its self-signed X.509 certificate (PEM), published in the IdP metadata. */
  certificate: string;
  created_at: number;
  signs_from: number;
  retired_at: number | null;
}

export interface PartnerCallbackTable {
  partner_id: string;
  /** balance | debit | refund | verify */
  kind: string;
  url: string;
  timeout_ms: number;
  /** The Standard Webhooks secret (whsec_…) the calls are signed with, sealed. */
  secret_sealed: string;
  created_at: number;
  updated_at: number;
}

export interface CallbackCallTable {
  id: string;
  app_id: string;
  idempotency_key: string;
  kind: string;
  partner_id: string;
  user_id: string;
  request_hash: string;
  created_at: number;
  attempt_until: number;
  status: number | null;
  /** The partner's answer (content type and body), sealed: it may hold account data. */
  answer_sealed: string | null;
  completed_at: number | null;
}

export interface WebhookEndpointTable {
  id: string;
  /** null: an operator's endpoint, for every partner's events. */
  partner_id: string | null;
  url: string;
  /** The event types, comma-separated with a comma at each end. */
  events: string;
  secret_sealed: string;
  created_at: number;
}

export interface WebhookEventTable {
  id: string;
  type: string;
  partner_id: string | null;
  /** The JSON body sent: {type, timestamp, data}. Never a secret. */
  payload: string;
  created_at: number;
}

export interface WebhookDeliveryTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  partner_id: string | null;
  state: "pending" | "delivered" | "failed";
  attempts: Generated<number>;
  next_attempt_at: number;
  claimed_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface SamlRequestTable {
  app_id: string;
  /** An AuthnRequest's or LogoutRequest's ID: each is taken once. */
  request_id: string;
  seen_at: number;
  expires_at: number;
}
