// Handoff as an OpenID Connect provider (oidc-provider), behind every login link.
import type { AppService } from "../apps/service.js";
import type { Allowance } from "../http/allowance.js";
import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import type { Foundation, Module } from "../module.js";
import type { SessionService } from "../sessions/service.js";
import { OidcService } from "./provider.js";
import { oidcInteractionRoutes, oidcProviderRoutes } from "./routes.js";
import { OidcStore } from "./store.js";

export interface OidcModuleDeps extends Foundation {
  keys: KeyStore;
  apps: AppService;
  sessions: SessionService;
  redeemFailures: FailureLimiter;
  anonymousWrites: Allowance;
}

export function oidcModule(deps: OidcModuleDeps): Module {
  const oidcStore = new OidcStore(deps.database);
  const faces = { ...deps, oidcStore };
  return {
    routes: async (scope) => {
      const oidc = new OidcService(faces, scope.log);
      await scope.register(async (provider) => oidcProviderRoutes(provider, faces, oidc));
      await scope.register(async (pages) => oidcInteractionRoutes(pages, faces, oidc));
    },
    prune: [{ name: "oidc", step: (trx, at, limit) => oidcStore.prune(trx, at.now, limit) }],
  };
}
