// The token exchange, the bearer check and seed 000's refresh tokens, with the native routes.

import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import type { Foundation, Module } from "../module.js";
import type { PartnerService } from "../partners/service.js";
import { RefreshTokenService } from "./refresh.js";
import { authRoutes } from "./routes.js";
import { AuthService } from "./service.js";
import { AuthStore } from "./store.js";

export interface AuthModuleDeps extends Foundation {
  keys: KeyStore;
  partners: PartnerService;
  isLinked: (parent: string, child: string) => Promise<boolean>;
  exchangeFailures: FailureLimiter;
}

export interface AuthModule extends Module {
  auth: AuthService;
  refreshTokens: RefreshTokenService;
}

export function authModule(deps: AuthModuleDeps): AuthModule {
  const { database, clock, config, keys, partners, isLinked, exchangeFailures } = deps;
  const store = new AuthStore(database);
  const auth = new AuthService(database, store, clock, keys, config.authCacheMs, isLinked);
  return {
    auth,
    refreshTokens: new RefreshTokenService(database, store, clock),
    routes: (scope) => authRoutes(scope, { auth, clock, exchangeFailures, partners }),
    onChange: (change) => {
      if (change.topic === "credentials" || change.topic === "all") auth.credentialsChanged();
    },
  };
}
