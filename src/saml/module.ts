// Handoff as a SAML identity provider, with its own keys, one-time request ids, the record of
// which apps each session signed in to (front-channel single logout), and the LogoutRequests
// owed by SOAP to the apps that offer it when a session ends (back-channel single logout).
import type { AppService } from "../apps/service.js";
import { parseCidrs } from "../http/cidr.js";
import type { Foundation, Module } from "../module.js";
import type { SessionService } from "../sessions/service.js";
import { FrontChannelLogout } from "./front-channel.js";
import { SamlIdp } from "./idp.js";
import { SamlKeys } from "./keys.js";
import { SoapLogoutStore } from "./logout-store.js";
import { samlRoutes } from "./routes.js";
import { SoapLogout, startSoapLogoutWorker } from "./soap-logout.js";
import { SamlStore } from "./store.js";

export interface SamlModule extends Module {
  saml: SamlIdp;
  samlLogout: FrontChannelLogout;
  /** SOAP logout deliveries, and their worker's step. */
  soapLogout: SoapLogout;
}

const DAY_MS = 24 * 3600 * 1000;

export function samlModule(
  deps: Foundation & { apps: AppService; sessions: SessionService },
): SamlModule {
  const { database, clock, config, sealer, apps, sessions } = deps;
  const store = new SamlStore(database);
  const host = new URL(config.baseUrl).host;
  const keys = new SamlKeys(database, store, sealer, clock, host);
  const saml = new SamlIdp(database, store, keys, apps, clock, config.baseUrl);
  const samlLogout = new FrontChannelLogout(database, store, saml, apps, sealer, clock, config);
  const soapLogout = new SoapLogout(
    database,
    new SoapLogoutStore(database, database.dialect),
    clock,
    saml,
    apps,
    parseCidrs(config.outboundAllow),
  );
  return {
    saml,
    samlLogout,
    soapLogout,
    routes: (scope) => samlRoutes(scope, { config, saml, samlLogout, soapLogout, sessions, apps }),
    jobs: [(log) => startSoapLogoutWorker(soapLogout, log)],
    prune: [
      { name: "saml", step: (trx, at, limit) => SamlStore.prune(trx, at.now, limit) },
      {
        name: "saml_sessions",
        step: (trx, at, limit) => SamlStore.pruneSessions(trx, at.now, limit),
      },
      // A delivered or abandoned logout is kept a day, for whoever looks into a complaint.
      {
        name: "saml_logout_deliveries",
        step: (trx, at, limit) => SoapLogoutStore.prune(trx, at.now - DAY_MS, limit),
      },
    ],
  };
}
