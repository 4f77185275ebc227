// The console: its own sign-in (operators and partner users), the management API, and the web
// pages, around the one policy layer (management.ts) both faces call.
import type { AppService } from "../apps/service.js";
import type { AuditStore } from "../audit/store.js";
import type { CallbackService } from "../callbacks/service.js";
import type { FailureLimiter } from "../http/failures.js";
import type { KeyStore } from "../keys/service.js";
import type { Foundation, Module } from "../module.js";
import type { OperatorService } from "../operators/service.js";
import type { PartnerService } from "../partners/service.js";
import type { PartnerUserService } from "../partners/users.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";
import type { UserService } from "../users/service.js";
import type { WebhookService } from "../webhooks/service.js";
import { managementRoutes } from "./api/routes.js";
import { Management } from "./management.js";
import { consolePages } from "./pages/pages.js";
import { ConsoleAuth } from "./signin/service.js";
import { ConsoleSessionStore, ConsoleTotpStore } from "./signin/store.js";
import { ConsoleTotp } from "./signin/totp.js";

export interface ConsoleModuleDeps extends Foundation {
  partners: PartnerService;
  partnerUsers: PartnerUserService;
  operators: OperatorService;
  apps: AppService;
  keys: KeyStore;
  callbacks: CallbackService;
  webhooks: WebhookService;
  tickets: TicketService;
  sessions: SessionService;
  users: UserService;
  auditStore: AuditStore;
  consoleFailures: FailureLimiter;
}

export interface ConsoleModule extends Module {
  consoleAuth: ConsoleAuth;
  management: Management;
}

export function consoleModule(deps: ConsoleModuleDeps): ConsoleModule {
  const { database, clock, config, sealer, operators, partnerUsers, partners } = deps;
  const totp = new ConsoleTotp(
    database,
    new ConsoleTotpStore(database),
    clock,
    sealer,
    new URL(config.baseUrl).host,
  );
  const consoleAuth = new ConsoleAuth(
    database,
    new ConsoleSessionStore(database),
    clock,
    operators,
    partnerUsers,
    partners,
    totp,
    {
      idleMinutes: config.consoleIdleMinutes,
      sessionHours: config.consoleSessionHours,
      requireOperator2fa: config.consoleRequire2fa,
    },
  );
  const management = new Management({ ...deps, audit: deps.auditStore });
  const faces = {
    config,
    clock,
    consoleAuth,
    consoleFailures: deps.consoleFailures,
    management,
    sealer,
  };
  return {
    consoleAuth,
    management,
    routes: async (scope) => {
      await scope.register(async (api) => managementRoutes(api, faces));
      await scope.register(async (pages) => consolePages(pages, faces));
    },
  };
}
