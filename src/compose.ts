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
import { countersFor } from "./db/counters.js";
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
import type { BackchannelLogout } from "./oidc/backchannel.js";
import { oidcModule } from "./oidc/module.js";
import { recordBackchannelLogouts } from "./oidc/store.js";
import { operatorsModule } from "./operators/module.js";
import type { OperatorService } from "./operators/service.js";
import { Metrics } from "./ops/metrics.js";
import { type OpsModule, opsModule } from "./ops/module.js";
import { otpModule, otpStepModule } from "./otp/module.js";
import { partnersModule } from "./partners/module.js";
import type { PartnerService } from "./partners/service.js";
import type { PartnerUserService } from "./partners/users.js";
import type { SamlIdp } from "./saml/idp.js";
import { recordSoapLogouts } from "./saml/logout-store.js";
import { samlModule } from "./saml/module.js";
import type { SoapLogout } from "./saml/soap-logout.js";
import { sessionsModule } from "./sessions/module.js";
import type { SessionService, SessionsEnded } from "./sessions/service.js";
import { ticketsModule } from "./tickets/module.js";
import type { TicketService } from "./tickets/service.js";
import { usersModule } from "./users/module.js";
import type { UserService } from "./users/service.js";
import { WebhookListeners } from "./webhooks/listeners.js";
import { webhooksModule } from "./webhooks/module.js";
import type { WebhookService } from "./webhooks/service.js";

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
  /** OIDC Back-Channel Logout deliveries, and their worker's step. */
  backchannel: BackchannelLogout;
  /** SAML SOAP logout deliveries, and their worker's step. */
  soapLogout: SoapLogout;
  /** The outbox, and a nudge to its worker. */
  delivery: DeliveryModule;
}

export interface Composition {
  domains: Domains;
  /** In dependency order: the app registers their routes, change handlers and jobs. */
  modules: Module[];
  pruneNow: OpsModule["pruneNow"];
  /** Stops being ready: the first step of a graceful stop. */
  drain: OpsModule["drain"];
  /** Counts each answered request (app.ts hooks it), scraped at /metrics; null when off. */
  metrics: Metrics | null;
  /** The failure limiters, for the app's own hooks (bearer checks before validation). */
  limits: Limits;
}

/** Opens storage (unless given) and builds every module. Every call is independent. */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composition> {
  const database =
    options.database ??
    (await openDatabase(config.databaseUrl, {
      sqliteSynchronous: config.sqliteSynchronous,
      namedStatements: config.pgNamedStatements,
    }));
  if (options.migrate !== false) await database.migrate();
  const base: Foundation = {
    config,
    database,
    clock: options.clock ?? systemClock,
    sealer: new Sealer(config.secretKey),
    counters: countersFor(database),
  };
  const perMinute = config.authFailuresPerMinute;
  const limits: Limits = {
    exchangeFailures: new FailureLimiter("exchange", perMinute, base.counters),
    redeemFailures: new FailureLimiter("redeem", perMinute, base.counters),
  };
  // Counting costs every request a little: only where someone scrapes (HANDOFF_METRICS_TOKEN).
  const metrics = config.metricsToken ? new Metrics() : null;
  const accounts = await composeAccounts(base, limits, metrics);
  const signIn = await composeSignIn(base, limits, accounts);
  const faces = composeFaces(base, limits, accounts, signIn);
  const modules = [...accounts.modules, ...signIn.modules, ...faces.modules];
  const ops = opsModule({
    ...base,
    keys: accounts.keys,
    jobs: modules.flatMap((m) => m.prune ?? []),
    metrics,
    backlogs: [
      { name: "outbox", read: () => signIn.delivery.outbox.backlog() },
      { name: "webhooks", read: () => signIn.webhooks.backlog() },
      { name: "backchannel_logout", read: () => faces.backchannel.backlog() },
      { name: "saml_soap_logout", read: () => signIn.soapLogout.backlog() },
    ],
  });
  const { keys, partners, partnerUsers, operators, apps, users, auth, sessions } = accounts;
  const { tickets, saml, callbacks, webhooks, delivery } = signIn;
  return {
    domains: {
      ...base,
      ...{ keys, partners, partnerUsers, operators, apps, users, auth, sessions },
      ...{ tickets, saml, callbacks, webhooks, delivery },
      backchannel: faces.backchannel,
      soapLogout: signIn.soapLogout,
    },
    modules: [...modules, ops],
    pruneNow: ops.pruneNow,
    drain: ops.drain,
    metrics,
    limits,
  };
}

/** The failure limiters several faces share (per client address). */
export interface Limits {
  exchangeFailures: FailureLimiter;
  redeemFailures: FailureLimiter;
}

/** Who is who: the audit log, keys, partners, operators, apps, users, credentials, sessions. */
async function composeAccounts(base: Foundation, limits: Limits, metrics: Metrics | null) {
  const passwords = new Passwords();
  // Whatever must follow a session's end is written in the transaction that ends it, on every
  // path that ends one (sessions, a partner's suspension, a user's deletion): today the OIDC
  // Back-Channel Logout deliveries of the clients the session signed in, and the SOAP logouts of
  // the SAML apps it signed in to that offer SOAP.
  const sessionsEnded: SessionsEnded = async (trx, ids, now) => {
    await recordBackchannelLogouts(trx, ids, now);
    await recordSoapLogouts(trx, ids, now);
  };
  const listeners = new WebhookListeners(base.database);
  const audit = auditModule(
    base.database,
    metrics ? [listeners.follow, metrics.recordEntry] : [listeners.follow],
  );
  const withAudit = { ...base, audit: audit.audit };
  const keysM = await keysModule(withAudit);
  const { keys } = keysM;
  const partnersM = partnersModule({ ...withAudit, passwords, sessionsEnded });
  const { partners, partnerUsers, isLinked } = partnersM;
  const operatorsM = operatorsModule({ ...withAudit, passwords });
  const appsM = appsModule(withAudit);
  const { apps } = appsM;
  const usersM = usersModule({ ...base, isLinked, sessionsEnded });
  const { users } = usersM;
  const authM = authModule({ ...base, keys, partners, isLinked, ...limits });
  const { auth } = authM;
  const sessionsM = sessionsModule({ ...withAudit, apps, auth, users, ...limits, sessionsEnded });
  return {
    audit: audit.audit,
    auditStore: audit.auditStore,
    keys,
    partners,
    partnerUsers,
    operators: operatorsM.operators,
    apps,
    users,
    auth,
    refreshTokens: authM.refreshTokens,
    sessions: sessionsM.sessions,
    modules: [
      audit,
      listeners,
      keysM,
      partnersM,
      operatorsM,
      appsM,
      usersM,
      authM,
      sessionsM,
    ] as Module[],
  };
}

type Accounts = Awaited<ReturnType<typeof composeAccounts>>;

/** Signing in: delivery and one-time codes, SAML, login links, call-backs and webhooks. */
async function composeSignIn(base: Foundation, limits: Limits, accounts: Accounts) {
  const { config } = base;
  const { audit, partners, operators, apps, users, auth, sessions } = accounts;
  const withAudit = { ...base, audit };
  const serveDemo = await demoServed({ config, partners, operators, apps });
  const delivery = deliveryModule({ ...base, demo: serveDemo });
  const { outbox, canSend, nudge } = delivery;
  const otpM = otpModule({ ...base, outbox, canSend, nudge });
  const { otp } = otpM;
  const samlM = samlModule({ ...base, apps, sessions });
  const { saml, samlLogout } = samlM;
  const ticketsM = ticketsModule({
    ...withAudit,
    apps,
    auth,
    users,
    sessions,
    otp,
    saml,
    samlLogout,
    ...limits,
  });
  const { tickets } = ticketsM;
  const otpStepM = otpStepModule({ ...base, otp, tickets, redeemFailures: limits.redeemFailures });
  const callbacksM = callbacksModule({
    ...withAudit,
    apps,
    sessions,
    tickets,
    redeemFailures: limits.redeemFailures,
  });
  const webhooksM = webhooksModule(withAudit);
  return {
    serveDemo,
    delivery,
    otp,
    saml,
    samlLogout,
    soapLogout: samlM.soapLogout,
    tickets,
    callbacks: callbacksM.callbacks,
    webhooks: webhooksM.webhooks,
    modules: [delivery, otpM, samlM, ticketsM, otpStepM, callbacksM, webhooksM] as Module[],
  };
}

/** The faces that only serve: OpenID Connect, the console, the vendors' shapes, the demo. */
function composeFaces(
  base: Foundation,
  limits: Limits,
  accounts: Accounts,
  signIn: Awaited<ReturnType<typeof composeSignIn>>,
): { modules: Module[]; backchannel: BackchannelLogout } {
  const { config } = base;
  const { keys, partners, partnerUsers, operators, apps, users, auth, sessions } = accounts;
  const { otp, tickets, callbacks, webhooks } = signIn;
  const oidcM = oidcModule({
    ...base,
    keys,
    apps,
    sessions,
    redeemFailures: limits.redeemFailures,
    anonymousWrites: new Allowance("anonymous", config.anonymousWritesPerMinute, base.counters),
    samlLogout: signIn.samlLogout,
  });
  const consoleM = consoleModule({
    ...base,
    ...{ partners, partnerUsers, operators, apps, keys, users, sessions },
    ...{ callbacks, webhooks, tickets },
    auditStore: accounts.auditStore,
    consoleFailures: new FailureLimiter("console", config.authFailuresPerMinute, base.counters),
  });
  const compatM = compatModule({
    ...base,
    ...{ apps, auth, partners, partnerUsers, users, sessions, otp, tickets },
    refreshTokens: accounts.refreshTokens,
    ...limits,
  });
  const demoM = demoModule({
    config,
    sessions,
    mailbox: signIn.delivery.mailbox,
    serve: signIn.serveDemo,
  });
  return { modules: [oidcM, consoleM, compatM, demoM], backchannel: oidcM.backchannel };
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
