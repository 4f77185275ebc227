// Login links: the partner API that mints them, the browser's page and redemption in front of
// them, and their retention.
import type { AppService } from "../apps/service.js";
import type { AuditLog } from "../audit/log.js";
import type { AuthService } from "../auth/service.js";
import { Allowance } from "../http/allowance.js";
import type { FailureLimiter } from "../http/failures.js";
import type { Foundation, Module } from "../module.js";
import type { OtpService } from "../otp/service.js";
import type { FrontChannelLogout } from "../saml/front-channel.js";
import type { SamlIdp } from "../saml/idp.js";
import type { SessionService } from "../sessions/service.js";
import type { UserService } from "../users/service.js";
import { browserRoutes } from "./browser.js";
import { ticketRoutes } from "./routes.js";
import { TicketService } from "./service.js";
import { TicketStore } from "./store.js";

export interface TicketsModuleDeps extends Foundation {
  audit: AuditLog;
  apps: AppService;
  auth: AuthService;
  users: UserService;
  sessions: SessionService;
  otp: OtpService;
  saml: SamlIdp;
  samlLogout: FrontChannelLogout;
  exchangeFailures: FailureLimiter;
  redeemFailures: FailureLimiter;
}

export interface TicketsModule extends Module {
  tickets: TicketService;
}

export function ticketsModule(deps: TicketsModuleDeps): TicketsModule {
  const { database, clock, config, sealer, audit, apps, users, sessions, auth, otp } = deps;
  const store = new TicketStore(database);
  const tickets = new TicketService(
    database,
    store,
    clock,
    sealer,
    apps,
    users,
    sessions,
    auth,
    {
      mints: new Allowance("mint", config.mintsPerMinute, deps.counters),
      ticketsPerUser: config.ticketsPerUser,
    },
    otp,
    audit,
  );
  const faces = { ...deps, tickets };
  return {
    tickets,
    routes: async (scope) => {
      await scope.register(async (api) => ticketRoutes(api, faces));
      await scope.register(async (browser) => browserRoutes(browser, faces));
    },
    prune: [{ name: "tickets", step: (trx, at, limit) => store.prune(trx, at.tickets, limit) }],
  };
}
