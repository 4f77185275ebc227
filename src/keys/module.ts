// Signing keys: loaded at start, reloaded when any process rotates or revokes one.
import type { AuditLog } from "../audit/log.js";
import { everyInterval, type Foundation, type Module } from "../module.js";
import { KeyStore } from "./service.js";
import { SigningKeyStore } from "./store.js";

/** A change missed by the feed still reaches this process within a minute. */
const KEY_RELOAD_MS = 60_000;

export interface KeysModule extends Module {
  keys: KeyStore;
}

export async function keysModule(deps: Foundation & { audit: AuditLog }): Promise<KeysModule> {
  const { database, sealer, clock, config, audit } = deps;
  const keys = new KeyStore(
    database,
    new SigningKeyStore(database),
    sealer,
    clock,
    config.baseUrl,
    audit,
  );
  await keys.init();
  return {
    keys,
    onChange: (change) => {
      if (change.topic === "keys" || change.topic === "all") {
        void keys.reload().catch(() => undefined);
      }
    },
    // Access tokens and the OIDC provider sign with what every node publishes.
    jobs: [
      everyInterval(KEY_RELOAD_MS, (log) => {
        keys.reload().catch((error: unknown) => log.warn({ err: error }, "key reload failed"));
      }),
    ],
  };
}
