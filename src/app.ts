// buildApp(config): the one place that knows every domain and wires them into a Fastify app.
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { authRoutes } from "./auth/routes.js";
import { callbackRoutes } from "./callbacks/routes.js";
import { type Clock, systemClock } from "./clock.js";
import { banckleRoutes } from "./compat/banckle.js";
import { bluesnapRoutes } from "./compat/bluesnap.js";
import { enkashRoutes } from "./compat/enkash.js";
import { sparrowRoutes } from "./compat/sparrow.js";
import { xoxodayRoutes } from "./compat/xoxoday.js";
import type { Config } from "./config.js";
import { consolePages } from "./console/pages.js";
import { managementRoutes } from "./console/routes.js";
import type { AppContext } from "./context.js";
import { Sealer } from "./crypto/seal.js";
import { type Database, openDatabase } from "./db/database.js";
import { startOutboxWorker } from "./delivery/outbox.js";
import { demoAppRoutes } from "./demo/app-page.js";
import { demoServed } from "./demo/demo.js";
import { registerSecurityHeaders } from "./http/headers.js";
import { registerInputChecks } from "./http/input.js";
import { lazyChildLogger, loggerOptions, requestId } from "./http/logging.js";
import { registerProblemHandlers } from "./http/problem.js";
import { KeyStore } from "./keys/service.js";
import { SigningKeyStore } from "./keys/store.js";
import { OidcService } from "./oidc/provider.js";
import { oidcInteractionRoutes, oidcProviderRoutes } from "./oidc/routes.js";
import { startPruner } from "./ops/pruner.js";
import { opsRoutes } from "./ops/routes.js";
import { samlRoutes } from "./saml/routes.js";
import { buildServices, type Services } from "./services.js";
import { sessionRoutes } from "./sessions/routes.js";
import { browserRoutes } from "./tickets/browser.js";
import { ticketRoutes } from "./tickets/routes.js";
import { startWebhookWorker } from "./webhooks/service.js";

export interface BuildOptions {
  clock?: Clock;
  /** An already open database (tests share one PGlite); otherwise config.databaseUrl is opened. */
  database?: Database;
  /** Skip migrations (the CLI's `migrate` runs them itself). */
  migrate?: boolean;
  /** Where log lines go (tests read them back); stdout by default. */
  logStream?: { write(line: string): void };
}

const KEY_RELOAD_MS = 60_000;

declare module "fastify" {
  interface FastifyInstance {
    services: Services;
  }
}

/** Opens storage and keys, then builds the app. Every call is independent: no module state. */
export async function buildContext(
  config: Config,
  options: BuildOptions = {},
): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const database =
    options.database ??
    (await openDatabase(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous }));
  if (options.migrate !== false) await database.migrate();
  const sealer = new Sealer(config.secretKey);
  const keys = new KeyStore(database, new SigningKeyStore(database), sealer, clock, config.baseUrl);
  await keys.init();
  return { config, database, clock, sealer, keys };
}

export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const ctx = await buildContext(config, options);
  const services = buildServices(ctx);
  const app = Fastify({
    logger: options.logStream
      ? { ...loggerOptions(config.logLevel), stream: options.logStream }
      : loggerOptions(config.logLevel),
    genReqId: requestId,
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.bodyLimitBytes,
    // A request must arrive whole in this time, so half-sent bodies cannot hold memory for long.
    requestTimeout: config.requestTimeoutSeconds * 1000,
    http: {
      headersTimeout: Math.ceil(Math.min(10, config.requestTimeoutSeconds / 3) * 1000),
      // How often those limits are checked (Node's default is every 30 s).
      connectionsCheckingInterval: 1000,
    },
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.decorate("services", services);
  // Connections past the limit are closed at once; each open one costs memory.
  app.server.maxConnections = config.maxConnections;
  const stopPruner = startPruner(
    ctx.database,
    ctx.clock,
    {
      intervalSeconds: config.pruneIntervalSeconds,
      ticketRetentionDays: config.ticketRetentionDays,
      auditRetentionDays: config.auditRetentionDays,
    },
    app.log,
  );
  // Rotations and revocations made by the CLI or another node reach this process within a
  // minute (sooner for an unknown kid): access tokens and the OIDC provider sign with new keys.
  const keyReload = setInterval(() => {
    ctx.keys.reload().catch((error: unknown) => app.log.warn({ err: error }, "key reload failed"));
  }, KEY_RELOAD_MS);
  keyReload.unref();
  app.addHook("onClose", async () => {
    services.stopListening();
    clearInterval(keyReload);
    await stopPruner();
    await ctx.database.close();
  });

  registerProblemHandlers(app);
  registerSecurityHeaders(app, config.baseUrl);
  registerInputChecks(app);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Handoff",
        version: "0.1.0",
        description:
          "Partner single sign-on: exchange credentials, mint login links, redeem them, know the user.",
      },
      servers: [{ url: config.baseUrl }],
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          appBasic: { type: "http", scheme: "basic", description: "app id : app secret" },
          partnerBasic: { type: "http", scheme: "basic", description: "partner id : API token" },
          consoleCookie: {
            type: "apiKey",
            in: "cookie",
            name: "handoff_console",
            description:
              "The console session (`__Host-handoff-console` over https); changes also need the `x-csrf-token` header from GET /v1/manage/me",
          },
          partnerTokenBasic: {
            type: "http",
            scheme: "basic",
            description: "partner id : partner token",
          },
        },
      },
    },
  });

  await app.register(async (scope) => opsRoutes(scope, services));
  await app.register(async (scope) => authRoutes(scope, services));
  await app.register(async (scope) => sparrowRoutes(scope, services));
  await app.register(async (scope) => xoxodayRoutes(scope, services));
  await app.register(async (scope) => banckleRoutes(scope, services));
  await app.register(async (scope) => bluesnapRoutes(scope, services));
  await app.register(async (scope) => enkashRoutes(scope, services));
  await app.register(async (scope) => ticketRoutes(scope, services));
  await app.register(async (scope) => sessionRoutes(scope, services));
  await app.register(async (scope) => browserRoutes(scope, services));
  await app.register(async (scope) => samlRoutes(scope, services));
  await app.register(async (scope) => callbackRoutes(scope, services));
  await app.register(async (scope) => managementRoutes(scope, services));
  await app.register(async (scope) => consolePages(scope, services));
  // Only with the demo: a production deployment serves no /demo routes (nor a demo mailbox).
  if (await demoServed(services)) {
    await app.register(async (scope) => demoAppRoutes(scope, services));
  } else {
    const { delivery } = services;
    if (delivery.senders.email === delivery.mailbox) delivery.senders.email = null;
    if (delivery.senders.sms === delivery.mailbox) delivery.senders.sms = null;
    delivery.mailbox = null;
  }
  const { delivery } = services;
  if (delivery.senders.email || delivery.senders.sms) {
    const worker = startOutboxWorker(delivery.outbox, delivery.senders, app.log);
    delivery.nudge = worker.nudge;
    app.addHook("onClose", async () => {
      await worker.stop();
      delivery.smtp?.close();
    });
  }
  const webhookWorker = startWebhookWorker(services.webhooks, app.log);
  app.addHook("onClose", () => webhookWorker.stop());
  const oidc = new OidcService(services, app.log);
  await app.register(async (scope) => oidcProviderRoutes(scope, services, oidc));
  await app.register(async (scope) => oidcInteractionRoutes(scope, services, oidc));

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
