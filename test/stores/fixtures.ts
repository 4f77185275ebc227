// Rows the store contract suites build on: two partners, an app, a user, a partner user, a
// partner token. Each suite opens its dialect's database from the one table of dialects.
import type { Database } from "../../src/db/database.js";
import type { NewTicket } from "../../src/tickets/store.js";
import { partnerRow, testDatabase } from "../helpers/app.js";

export const NOW = 1_800_000_000_000;

export async function storeDatabase(dialect: Parameters<typeof testDatabase>[0]) {
  const database = await testDatabase(dialect);
  await database.migrate();
  await database.write(async (trx) => {
    await trx
      .insertInto("partners")
      .values([partnerRow("pa"), partnerRow("pb")])
      .execute();
    await trx
      .insertInto("apps")
      .values({
        id: "app1",
        name: "App",
        base_url: "https://app.example",
        return_paths: '["/"]',
        products: "[]",
        ticket_ttl_default: 300,
        ticket_ttl_max: 3600,
        session_idle_seconds: 1800,
        session_absolute_seconds: 43200,
        failure_url: null,
        created_at: 1,
        updated_at: 1,
        ip_binding: "exact",
        secret_hash: null,
        sees_auth_token: 0,
        oidc_redirect_uris: "[]",
        oidc_post_logout_redirect_uris: "[]",
        oidc_refresh_tokens: 0,
        oidc_pkce_required: 1,
      })
      .execute();
    await trx
      .insertInto("users")
      .values(
        ["u1", "u2"].map((id) => ({
          id,
          partner_id: "pa",
          external_id: `ext-${id}`,
          email: null,
          email_canonical: null,
          phone_number: null,
          phone_country_code: null,
          name: null,
          given_name: null,
          family_name: null,
          created_at: 1,
          updated_at: 1,
        })),
      )
      .execute();
    await trx
      .insertInto("partner_tokens")
      .values({
        id: "pt1",
        partner_id: "pa",
        secret_hash: "h",
        created_at: 1,
        expires_at: null,
        revoked_at: null,
      })
      .execute();
    await trx
      .insertInto("partner_users")
      .values({
        id: "pu1",
        partner_id: "pa",
        login: "owner@pa.example",
        password_hash: "x",
        failed_attempts: 0,
        locked_until: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
  });
  return database;
}

export function ticket(id: string, changes: Partial<NewTicket> = {}): NewTicket {
  return {
    id,
    secret_hash: `hash-${id}`,
    partner_id: "pa",
    account_id: "pa",
    api_token_id: null,
    user_id: "u1",
    app_id: "app1",
    return_to: "/",
    bind_ip: null,
    fields: null,
    otp: "none",
    partner_data_sealed: null,
    context: null,
    created_at: NOW,
    expires_at: NOW + 60_000,
    session_seconds: null,
    ...changes,
  };
}

/** Runs `count` copies of `attempt` at once. */
export function race<T>(count: number, attempt: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, attempt));
}

export type { Database };
