// Handoff as an OpenID Connect provider (oidc-provider), behind every login link, and the
// Back-Channel Logout tokens its clients receive when a Handoff session ends.
import type { AppService } from "../apps/service.js";
import type { Allowance } from "../http/allowance.js";
import { parseCidrs } from "../http/cidr.js";
import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import type { Foundation, Module } from "../module.js";
import type { FrontChannelLogout } from "../saml/front-channel.js";
import type { SessionService } from "../sessions/service.js";
import { BackchannelLogout, startBackchannelWorker } from "./backchannel.js";
import { OIDC_MOUNT, OidcService } from "./provider.js";
import { oidcInteractionRoutes, oidcProviderRoutes } from "./routes.js";
import { LogoutDeliveryStore, OidcStore } from "./store.js";

const DAY_MS = 24 * 3600 * 1000;

export interface OidcModuleDeps extends Foundation {
  keys: KeyStore;
  apps: AppService;
  sessions: SessionService;
  redeemFailures: FailureLimiter;
  anonymousWrites: Allowance;
  samlLogout: FrontChannelLogout;
}

export interface OidcModule extends Module {
  backchannel: BackchannelLogout;
}

export function oidcModule(deps: OidcModuleDeps): OidcModule {
  const { database, clock, config, keys, apps } = deps;
  const oidcStore = new OidcStore(database);
  const faces = { ...deps, oidcStore };
  const backchannel = new BackchannelLogout(
    database,
    new LogoutDeliveryStore(database, database.dialect),
    clock,
    keys,
    apps,
    `${config.baseUrl}${OIDC_MOUNT}`,
    parseCidrs(config.outboundAllow),
  );
  return {
    backchannel,
    routes: async (scope) => {
      const oidc = new OidcService(faces, scope.log);
      await scope.register(async (provider) => oidcProviderRoutes(provider, faces, oidc));
      await scope.register(async (pages) => oidcInteractionRoutes(pages, faces, oidc));
    },
    jobs: [(log) => startBackchannelWorker(backchannel, log)],
    prune: [
      { name: "oidc", step: (trx, at, limit) => oidcStore.prune(trx, at.now, limit) },
      // A delivered or abandoned logout is kept a day, for whoever looks into a complaint.
      {
        name: "oidc",
        step: (trx, at, limit) => LogoutDeliveryStore.prune(trx, at.now - DAY_MS, limit),
      },
    ],
  };
}
