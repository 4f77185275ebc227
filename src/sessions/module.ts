// Sessions: what a redemption creates, and what apps ask of it (forward-auth, introspection).
import type { AppService } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import type { AuthService } from "../auth/service.js";
import type { FailureLimiter } from "../http/failures.js";
import type { Foundation, Module } from "../module.js";
import type { UserService } from "../users/service.js";
import { sessionRoutes } from "./routes.js";
import { SessionService, type SessionsEnded } from "./service.js";
import { SessionStore } from "./store.js";

export interface SessionsModuleDeps extends Foundation {
  audit: AuditLog;
  apps: AppService;
  auth: AuthService;
  users: UserService;
  exchangeFailures: FailureLimiter;
  redeemFailures: FailureLimiter;
  /** What follows a session's end, in its transaction (OIDC back-channel logout). */
  sessionsEnded: SessionsEnded;
}

export interface SessionsModule extends Module {
  sessions: SessionService;
}

export function sessionsModule(deps: SessionsModuleDeps): SessionsModule {
  const { database, clock, config, sealer, audit, apps, auth } = deps;
  const store = new SessionStore(database);
  const sessions = new SessionService(
    database,
    store,
    clock,
    apps,
    auth,
    sealer,
    config.authCacheMs,
    audit,
    deps.sessionsEnded,
  );
  return {
    sessions,
    routes: (scope) => sessionRoutes(scope, { ...deps, sessions }),
    onChange: (change) => {
      if (change.topic === "session") sessions.forget(change.key);
      else if (change.topic !== "credentials" && change.topic !== "keys") sessions.forget();
    },
    prune: [{ name: "sessions", step: (trx, at, limit) => store.prune(trx, at.tickets, limit) }],
  };
}
