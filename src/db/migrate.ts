// Applies the versioned migrations in src/db/migrations, in order, once each.
import { type Kysely, type Migration, Migrator } from "kysely";
import * as foundation from "./migrations/0001_foundation.js";
import * as sso from "./migrations/0002_sso.js";
import * as bluesnap from "./migrations/0003_bluesnap.js";
import * as partnerUsers from "./migrations/0004_partner_users.js";
import * as oidc from "./migrations/0005_oidc.js";
import * as storageSeam from "./migrations/0006_storage_seam.js";
import * as oidcHashedIds from "./migrations/0007_oidc_hashed_ids.js";
import * as oidcPkce from "./migrations/0008_oidc_pkce.js";
import * as consoleTables from "./migrations/0009_console.js";
import * as consoleTotp from "./migrations/0010_console_totp.js";
import * as otp from "./migrations/0011_otp.js";
import * as saml from "./migrations/0012_saml.js";
import * as callbacks from "./migrations/0013_callbacks.js";
import * as webhooks from "./migrations/0014_webhooks.js";
import * as subAccountIndexes from "./migrations/0015_sub_account_indexes.js";
import * as rateWindows from "./migrations/0016_rate_windows.js";
import * as backchannelLogout from "./migrations/0017_backchannel_logout.js";
import * as auditSubject from "./migrations/0018_audit_subject.js";
import * as samlSessions from "./migrations/0019_saml_sessions.js";
import * as oidcFrontchannelLogout from "./migrations/0020_oidc_frontchannel_logout.js";
import * as samlSoapLogout from "./migrations/0021_saml_soap_logout.js";
import type { Tables } from "./schema.js";

const migrations: Record<string, Migration> = {
  "0001_foundation": foundation,
  "0002_sso": sso,
  "0003_bluesnap": bluesnap,
  "0004_partner_users": partnerUsers,
  "0005_oidc": oidc,
  "0006_storage_seam": storageSeam,
  "0007_oidc_hashed_ids": oidcHashedIds,
  "0008_oidc_pkce": oidcPkce,
  "0009_console": consoleTables,
  "0010_console_totp": consoleTotp,
  "0011_otp": otp,
  "0012_saml": saml,
  "0013_callbacks": callbacks,
  "0014_webhooks": webhooks,
  "0015_sub_account_indexes": subAccountIndexes,
  "0016_rate_windows": rateWindows,
  "0017_backchannel_logout": backchannelLogout,
  "0018_audit_subject": auditSubject,
  "0019_saml_sessions": samlSessions,
  "0020_oidc_frontchannel_logout": oidcFrontchannelLogout,
  "0021_saml_soap_logout": samlSoapLogout,
};

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(db: Kysely<Tables>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "handoff_migrations",
    migrationLockTableName: "handoff_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
