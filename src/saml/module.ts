// Handoff as a SAML identity provider, with its own keys and one-time request ids.
import type { AppService } from "../apps/service.js";
import type { Foundation, Module } from "../module.js";
import type { SessionService } from "../sessions/service.js";
import { SamlIdp } from "./idp.js";
import { SamlKeys } from "./keys.js";
import { samlRoutes } from "./routes.js";
import { SamlStore } from "./store.js";

export interface SamlModule extends Module {
  saml: SamlIdp;
}

export function samlModule(
  deps: Foundation & { apps: AppService; sessions: SessionService },
): SamlModule {
  const { database, clock, config, sealer, apps, sessions } = deps;
  const store = new SamlStore(database);
  const host = new URL(config.baseUrl).host;
  const keys = new SamlKeys(database, store, sealer, clock, host);
  const saml = new SamlIdp(database, store, keys, apps, clock, config.baseUrl);
  return {
    saml,
    routes: (scope) => samlRoutes(scope, { config, saml, sessions, apps }),
    prune: [{ name: "saml", step: (trx, at, limit) => SamlStore.prune(trx, at.now, limit) }],
  };
}
