// Handoff as a SAML identity provider, with its own keys, one-time request ids, and the record of
// which apps each session signed in to (front-channel single logout).
import type { AppService } from "../apps/service.js";
import type { Foundation, Module } from "../module.js";
import type { SessionService } from "../sessions/service.js";
import { FrontChannelLogout } from "./front-channel.js";
import { SamlIdp } from "./idp.js";
import { SamlKeys } from "./keys.js";
import { samlRoutes } from "./routes.js";
import { SamlStore } from "./store.js";

export interface SamlModule extends Module {
  saml: SamlIdp;
  samlLogout: FrontChannelLogout;
}

export function samlModule(
  deps: Foundation & { apps: AppService; sessions: SessionService },
): SamlModule {
  const { database, clock, config, sealer, apps, sessions } = deps;
  const store = new SamlStore(database);
  const host = new URL(config.baseUrl).host;
  const keys = new SamlKeys(database, store, sealer, clock, host);
  const saml = new SamlIdp(database, store, keys, apps, clock, config.baseUrl);
  const samlLogout = new FrontChannelLogout(database, store, saml, apps, sealer, clock, config);
  return {
    saml,
    samlLogout,
    routes: (scope) => samlRoutes(scope, { config, saml, samlLogout, sessions, apps }),
    prune: [
      { name: "saml", step: (trx, at, limit) => SamlStore.prune(trx, at.now, limit) },
      {
        name: "saml_sessions",
        step: (trx, at, limit) => SamlStore.pruneSessions(trx, at.now, limit),
      },
    ],
  };
}
