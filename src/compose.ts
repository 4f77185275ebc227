// The composition root: builds every domain's module in dependency order from named parts.
// Nothing below it imports it; the app (src/app.ts) and the CLI (src/cli/io.ts) start here.

import { appsModule } from "./apps/module.js";
import type { AppService } from "./apps/service.js";
import { auditModule } from "./audit/module.js";
import { authModule } from "./auth/module.js";
import type { AuthService } from "./auth/service.js";
import { callbacksModule } from "./callbacks/module.js";
import type { CallbackService } from "./callbacks/service.js";
import { type Clock, systemClock } from "./clock.js";
import { compatModule } from "./compat/module.js";
import type { Config } from "./config.js";
import { consoleModule } from "./console/module.js";
import { Passwords } from "./crypto/passwords.js";
import { Sealer } from "./crypto/seal.js";
import type { Database } from "./db/database.js";
import { openDatabase } from "./db/open.js";
import { type DeliveryModule, deliveryModule } from "./delivery/module.js";
import { demoServed } from "./demo/demo.js";
import { demoModule } from "./demo/module.js";
import { Allowance } from "./http/allowance.js";
import { FailureLimiter } from "./http/failures.js";
import { keysModule } from "./keys/module.js";
import type { KeyStore } from "./keys/service.js";
import type { Foundation, Module } from "./module.js";
import { oidcModule } from "./oidc/module.js";
import { operatorsModule } from "./operators/module.js";
import type { OperatorService } from "./operators/service.js";
import { type OpsModule, opsModule } from "./ops/module.js";
import { otpModule, otpStepModule } from "./otp/module.js";
import { partnersModule } from "./partners/module.js";
import type { PartnerService } from "./partners/service.js";
import type { PartnerUserService } from "./partners/users.js";
import type { SamlIdp } from "./saml/idp.js";
import { samlModule } from "./saml/module.js";
import { sessionsModule } from "./sessions/module.js";
import type { SessionService } from "./sessions/service.js";
import { ticketsModule } from "./tickets/module.js";
import type { TicketService } from "./tickets/service.js";
import { usersModule } from "./users/module.js";
import type { UserService } from "./users/service.js";
import { webhooksModule } from "./webhooks/module.js";
import type { WebhookService } from "./webhooks/service.js";
import { recordEventOf } from "./webhooks/store.js";

export interface ComposeOptions {
  clock?: Clock;
  /** An already open database (tests share one PGlite); otherwise config.databaseUrl is opened. */
  database?: Database;
  /** Skip migrations (the CLI's `migrate` runs them itself). */
  migrate?: boolean;
}

/** What the CLI, the demo and the tests use of a composed Handoff: each domain's service. */
export interface Domains extends Foundation {
  keys: KeyStore;
  partners: PartnerService;
  partnerUsers: PartnerUserService;
  operators: OperatorService;
  apps: AppService;
  users: UserService;
  auth: AuthService;
  sessions: SessionService;
  tickets: TicketService;
  saml: SamlIdp;
  callbacks: CallbackService;
  webhooks: WebhookService;
  /** The outbox, and a nudge to its worker. */
  delivery: DeliveryModule;
}

export interface Composition {
  domains: Domains;
  /** In dependency order: the app registers their routes, change handlers and jobs. */
  modules: Module[];
  pruneNow: OpsModule["pruneNow"];
}

/** Opens storage (unless given) and builds every module. Every call is independent. */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composition> {
  const database =
    options.database ??
    (await openDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous }));
  if (options.migrate !== false) await database.migrate();
  const base: Foundation = {
    config,
    database,
    clock: options.clock ?? systemClock,
    sealer: new Sealer(config.secretKey),
  };
  const passwords = new Passwords();
  const perMinute = config.authFailuresPerMinute;
  const exchangeFailures = new FailureLimiter("exchange", perMinute);
  const redeemFailures = new FailureLimiter("redeem", perMinute);

  const audit = auditModule(database, [recordEventOf]);
  const withAudit = { ...base, audit: audit.audit };
  const keysM = await keysModule(withAudit);
  const { keys } = keysM;
  const partnersM = partnersModule({ ...withAudit, passwords });
  const { partners, partnerUsers, isLinked } = partnersM;
  const operatorsM = operatorsModule({ ...withAudit, passwords });
  const { operators } = operatorsM;
  const appsM = appsModule(withAudit);
  const { apps } = appsM;
  const usersM = usersModule({ ...base, isLinked });
  const { users } = usersM;
  const authM = authModule({ ...base, keys, partners, isLinked, exchangeFailures });
  const { auth, refreshTokens } = authM;
  const sessionsM = sessionsModule({
    ...withAudit,
    apps,
    auth,
    users,
    exchangeFailures,
    redeemFailures,
  });
  const { sessions } = sessionsM;
  const serveDemo = await demoServed({ config, partners, operators, apps });
  const delivery = deliveryModule({ ...base, demo: serveDemo });
  const otpM = otpModule({
    ...base,
    outbox: delivery.outbox,
    canSend: delivery.canSend,
    nudge: delivery.nudge,
  });
  const { otp } = otpM;
  const samlM = samlModule({ ...base, apps, sessions });
  const { saml } = samlM;
  const ticketsM = ticketsModule({
    ...withAudit,
    apps,
    auth,
    users,
    sessions,
    otp,
    saml,
    exchangeFailures,
    redeemFailures,
  });
  const { tickets } = ticketsM;
  const otpStepM = otpStepModule({ ...base, otp, tickets, redeemFailures });
  const callbacksM = callbacksModule({ ...withAudit, apps, sessions, tickets, redeemFailures });
  const { callbacks } = callbacksM;
  const webhooksM = webhooksModule(withAudit);
  const { webhooks } = webhooksM;
  const oidcM = oidcModule({
    ...base,
    keys,
    apps,
    sessions,
    redeemFailures,
    anonymousWrites: new Allowance("anonymous", config.anonymousWritesPerMinute),
  });
  const consoleM = consoleModule({
    ...base,
    partners,
    partnerUsers,
    operators,
    apps,
    keys,
    callbacks,
    webhooks,
    tickets,
    sessions,
    users,
    auditStore: audit.auditStore,
    consoleFailures: new FailureLimiter("console", perMinute),
  });
  const compatM = compatModule({
    ...base,
    apps,
    auth,
    partners,
    partnerUsers,
    refreshTokens,
    users,
    sessions,
    otp,
    tickets,
    exchangeFailures,
    redeemFailures,
  });
  const demoM = demoModule({ config, sessions, mailbox: delivery.mailbox, serve: serveDemo });
  const domainModules: Module[] = [
    audit,
    keysM,
    partnersM,
    operatorsM,
    appsM,
    usersM,
    authM,
    sessionsM,
    delivery,
    otpM,
    samlM,
    ticketsM,
    otpStepM,
    callbacksM,
    webhooksM,
    oidcM,
    consoleM,
    compatM,
    demoM,
  ];
  const ops = opsModule({ ...base, keys, jobs: domainModules.flatMap((m) => m.prune ?? []) });
  return {
    domains: {
      ...base,
      keys,
      partners,
      partnerUsers,
      operators,
      apps,
      users,
      auth,
      sessions,
      tickets,
      saml,
      callbacks,
      webhooks,
      delivery,
    },
    modules: [...domainModules, ops],
    pruneNow: ops.pruneNow,
  };
}

/** Subscribes every module's reaction to storage changes; answers the function that stops them. */
export function listen({ domains, modules }: Composition): () => void {
  const stops = modules.flatMap((m) =>
    m.onChange ? [domains.database.changes.subscribe(m.onChange)] : [],
  );
  return () => {
    for (const stop of stops) stop();
  };
}
