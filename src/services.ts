// The domain services of one app, wired once from the context, and the one place that turns a
// change (src/db/changes.ts) into the caches it empties.
import { AppService } from "./apps/service.js";
import { AppStore } from "./apps/store.js";
import { AuditStore } from "./audit/store.js";
import { FailureLimiter } from "./auth/failures.js";
import { RefreshTokenService } from "./auth/refresh.js";
import { AuthService } from "./auth/service.js";
import { AuthStore } from "./auth/store.js";
import { CallbackService } from "./callbacks/service.js";
import { CallbackStore } from "./callbacks/store.js";
import { Management } from "./console/management.js";
import { ConsoleAuth } from "./console/service.js";
import { ConsoleSessionStore, ConsoleTotpStore } from "./console/store.js";
import { ConsoleTotp } from "./console/totp.js";
import type { AppContext } from "./context.js";
import { Passwords } from "./crypto/passwords.js";
import type { Change } from "./db/changes.js";
import { DemoMailbox, SmtpSender } from "./delivery/mail.js";
import { parseCidrs } from "./delivery/outbound.js";
import { Outbox, type Senders } from "./delivery/outbox.js";
import { TwilioSmsSender, WebhookSmsSender } from "./delivery/sms.js";
import { Allowance } from "./http/allowance.js";
import { OidcStore } from "./oidc/store.js";
import { OperatorService } from "./operators/service.js";
import { OperatorStore } from "./operators/store.js";
import { OtpService } from "./otp/service.js";
import { OtpStore } from "./otp/store.js";
import { PartnerService } from "./partners/service.js";
import { PartnerStore } from "./partners/store.js";
import { PartnerUserService } from "./partners/users.js";
import { SamlIdp } from "./saml/idp.js";
import { SamlKeys } from "./saml/keys.js";
import { SamlStore } from "./saml/store.js";
import { SessionService } from "./sessions/service.js";
import { SessionStore } from "./sessions/store.js";
import { TicketService } from "./tickets/service.js";
import { TicketStore } from "./tickets/store.js";
import { UserService } from "./users/service.js";
import { UserStore } from "./users/store.js";
import { WebhookService } from "./webhooks/service.js";
import { WebhookStore } from "./webhooks/store.js";

/** Mail and SMS delivery: the outbox, and the senders its worker uses (started in app.ts). */
export interface Delivery {
  outbox: Outbox;
  /** Per kind: SMTP or the SMS sender configured, else the demo's mailbox, else nobody. */
  senders: Senders;
  /** Closed with the app. */
  smtp: SmtpSender | null;
  /** The demo's mailbox; app.ts drops it (and the senders it stood in for) without the demo. */
  mailbox: DemoMailbox | null;
  /** Asks the worker to deliver now (after a code is queued). */
  nudge: () => void;
}

export interface Services extends AppContext {
  auth: AuthService;
  partners: PartnerService;
  apps: AppService;
  operators: OperatorService;
  exchangeFailures: FailureLimiter;
  users: UserService;
  sessions: SessionService;
  tickets: TicketService;
  /** Unknown tickets and bad app secrets per client IP. */
  redeemFailures: FailureLimiter;
  partnerUsers: PartnerUserService;
  refreshTokens: RefreshTokenService;
  oidcStore: OidcStore;
  /** Requests per client address that write without a session (OIDC authorize and logout). */
  anonymousWrites: Allowance;
  /** Console sign-in and sessions. */
  consoleAuth: ConsoleAuth;
  /** Wrong console passwords per client IP. */
  consoleFailures: FailureLimiter;
  /** What the console and the management API may do, checked per viewer. */
  management: Management;
  /** One-time codes at redemption. */
  otp: OtpService;
  /** The outbox and who delivers it (SMTP, an SMS sender, or the demo's mailbox). */
  delivery: Delivery;
  /** Handoff as a SAML identity provider. */
  saml: SamlIdp;
  /** Partners' call-back endpoints, and the calls apps make through them. */
  callbacks: CallbackService;
  /** Event webhooks: endpoints, deliveries (the worker is started in app.ts). */
  webhooks: WebhookService;
  /** Stops listening to the change feed (the app's close). */
  stopListening: () => void;
}

export function buildServices(ctx: AppContext): Services {
  const { database: storage, clock, config } = ctx;
  const passwords = new Passwords();
  const partnerStore = new PartnerStore(storage);
  const authStore = new AuthStore(storage);
  const isLinked = (parent: string, child: string) => partnerStore.isLinked(parent, child);
  const auth = new AuthService(storage, authStore, clock, ctx.keys, config.authCacheMs, isLinked);
  const partners = new PartnerService(
    storage,
    partnerStore,
    clock,
    config.partnerTokenOverlapSeconds,
  );
  const apps = new AppService(storage, new AppStore(storage), clock, config.authCacheMs);
  const users = new UserService(storage, new UserStore(storage), clock, isLinked);
  const sessions = new SessionService(
    storage,
    new SessionStore(storage),
    clock,
    apps,
    auth,
    ctx.sealer,
    config.authCacheMs,
  );
  const smtp = config.smtpUrl ? new SmtpSender(config.smtpUrl, config.mailFrom) : null;
  const sms =
    config.sms?.kind === "webhook"
      ? new WebhookSmsSender(config.sms.url, config.sms.secret)
      : config.sms?.kind === "twilio"
        ? new TwilioSmsSender(config.sms)
        : null;
  // The demo's mailbox only where nothing real is configured: a deployment with a mail server
  // must never show a code (by SMS or otherwise) on a public page.
  const mailbox = config.demo === false || smtp || sms ? null : new DemoMailbox();
  const delivery: Delivery = {
    outbox: new Outbox(storage, clock, ctx.sealer),
    senders: { email: smtp ?? mailbox, sms: sms ?? mailbox },
    smtp,
    mailbox,
    nudge: () => {},
  };
  const otp = new OtpService(
    storage,
    new OtpStore(storage),
    clock,
    delivery.outbox,
    (kind) => delivery.senders[kind] !== null,
    () => delivery.nudge(),
  );
  const tickets = new TicketService(
    storage,
    new TicketStore(storage),
    clock,
    ctx.sealer,
    apps,
    users,
    sessions,
    auth,
    { mints: new Allowance("mint", config.mintsPerMinute), ticketsPerUser: config.ticketsPerUser },
    otp,
  );
  const forget = (change: Change) => {
    switch (change.topic) {
      case "session":
        sessions.forget(change.key);
        break;
      case "sessions":
        sessions.forget();
        break;
      case "credentials":
        auth.credentialsChanged();
        break;
      case "app":
        apps.forget(change.key);
        sessions.forget();
        break;
      case "keys":
        void ctx.keys.reload().catch(() => undefined);
        break;
      default:
        auth.credentialsChanged();
        apps.forget();
        sessions.forget();
        void ctx.keys.reload().catch(() => undefined);
    }
  };
  const operators = new OperatorService(
    storage,
    new OperatorStore(storage),
    clock,
    passwords,
    config.partnerUserLockSeconds,
  );
  const partnerUsers = new PartnerUserService(
    storage,
    partnerStore,
    clock,
    passwords,
    config.partnerUserLockSeconds,
  );
  const samlStore = new SamlStore(storage);
  const callbacks = new CallbackService(
    storage,
    new CallbackStore(storage),
    clock,
    ctx.sealer,
    parseCidrs(config.outboundAllow),
  );
  const webhooks = new WebhookService(
    storage,
    new WebhookStore(storage, storage.dialect),
    clock,
    ctx.sealer,
    parseCidrs(config.outboundAllow),
  );
  return {
    ...ctx,
    auth,
    partners,
    apps,
    operators,
    exchangeFailures: new FailureLimiter("exchange", config.authFailuresPerMinute),
    users,
    sessions,
    tickets,
    redeemFailures: new FailureLimiter("redeem", config.authFailuresPerMinute),
    partnerUsers,
    refreshTokens: new RefreshTokenService(storage, authStore, clock),
    oidcStore: new OidcStore(storage),
    anonymousWrites: new Allowance("anonymous", config.anonymousWritesPerMinute),
    consoleAuth: new ConsoleAuth(
      storage,
      new ConsoleSessionStore(storage),
      clock,
      operators,
      partnerUsers,
      partners,
      new ConsoleTotp(
        storage,
        new ConsoleTotpStore(storage),
        clock,
        ctx.sealer,
        new URL(config.baseUrl).host,
      ),
      {
        idleMinutes: config.consoleIdleMinutes,
        sessionHours: config.consoleSessionHours,
        requireOperator2fa: config.consoleRequire2fa,
      },
    ),
    consoleFailures: new FailureLimiter("console", config.authFailuresPerMinute),
    management: new Management({
      partners,
      partnerUsers,
      operators,
      apps,
      keys: ctx.keys,
      callbacks,
      webhooks,
      tickets,
      sessions,
      users,
      audit: new AuditStore(storage),
    }),
    otp,
    delivery,
    callbacks,
    webhooks,
    saml: new SamlIdp(
      storage,
      samlStore,
      new SamlKeys(storage, samlStore, ctx.sealer, clock, new URL(config.baseUrl).host),
      apps,
      clock,
      config.baseUrl,
    ),
    stopListening: storage.changes.subscribe(forget),
  };
}
