// Table types shared by every dialect. Times are epoch milliseconds (bigint columns).

export interface PartnerTable {
  id: string;
  name: string;
  status: "active" | "suspended";
  contract_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PartnerLinkTable {
  parent_id: string;
  child_id: string;
  created_at: number;
}

/** Partner tokens, API tokens and SSO keys share one shape: an id that finds the row, a hash. */
export interface CredentialColumns {
  id: string;
  partner_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export type PartnerTokenTable = CredentialColumns;

export interface ApiTokenTable extends CredentialColumns {
  name: string;
  last_used_at: number | null;
}

export type SsoKeyTable = CredentialColumns;

export interface OperatorTable {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
}

export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** The private JWK, sealed with AES-256-GCM under the configured secret key. */
  private_jwk_sealed: string;
  created_at: number;
  /** After this time the key no longer verifies (set when a newer key takes over signing). */
  retire_at: number | null;
  revoked_at: number | null;
}

export interface AppTable {
  id: string;
  name: string;
  base_url: string;
  /** JSON array of allowed return-path prefixes. */
  return_paths: string;
  /** JSON array of product names that select this app in the legacy shapes (Banckle `product`). */
  products: string;
  ticket_ttl_default: number;
  ticket_ttl_max: number;
  session_idle_seconds: number;
  session_absolute_seconds: number;
  failure_url: string | null;
  created_at: number;
  updated_at: number;
}

export interface Tables {
  partners: PartnerTable;
  partner_links: PartnerLinkTable;
  partner_tokens: PartnerTokenTable;
  api_tokens: ApiTokenTable;
  sso_keys: SsoKeyTable;
  operators: OperatorTable;
  signing_keys: SigningKeyTable;
  apps: AppTable;
}
