// buildApp(config): the Fastify app around the composition root (src/compose.ts): the HTTP
// basics (errors, headers, body parsers, OpenAPI), then each module's routes, change handlers
// and background jobs.
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { bearerFirst } from "./auth/guard.js";
import { type ComposeOptions, type Composition, compose, type Domains, listen } from "./compose.js";
import type { Config } from "./config.js";
import { registerSecurityHeaders } from "./http/headers.js";
import { registerInputChecks } from "./http/input.js";
import { lazyChildLogger, loggerOptions, registerRequestLog, requestId } from "./http/logging.js";
import { openapiOptions } from "./http/openapi.js";
import { registerProblemHandlers } from "./http/problem.js";
import { schemaController } from "./http/validation.js";

export interface BuildOptions extends ComposeOptions {
  /** Where log lines go (tests read them back); stdout by default. */
  logStream?: { write(line: string): void };
}

/** The app, and the domains it was composed of (for the process: the demo; for tests). */
export interface Handoff {
  app: FastifyInstance;
  domains: Domains;
  pruneNow: Composition["pruneNow"];
  drain: Composition["drain"];
}

/** Builds the app; every call is independent (no module state). */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  return (await buildHandoff(config, options)).app;
}

export async function buildHandoff(config: Config, options: BuildOptions = {}): Promise<Handoff> {
  const composition = await compose(config, options);
  const { domains, modules, pruneNow, drain } = composition;
  const app = Fastify({
    logger: options.logStream
      ? { ...loggerOptions(config.logLevel), stream: options.logStream }
      : loggerOptions(config.logLevel),
    genReqId: requestId,
    childLoggerFactory: lazyChildLogger,
    // One line per request, written by registerRequestLog.
    logController: new LogController({ disableRequestLogging: true }),
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
    schemaController,
  });
  // Connections past the limit are closed at once; each open one costs memory.
  app.server.maxConnections = config.maxConnections;
  const stopListening = listen(composition);
  const { metrics } = composition;
  if (metrics) {
    app.addHook("onResponse", (request, reply, done) => {
      metrics.observe(request, reply);
      done();
    });
  }
  const running = modules.flatMap((m) => m.jobs ?? []).map((start) => start(app.log));
  app.addHook("onClose", async () => {
    stopListening();
    await Promise.all(running.map((job) => job.stop()));
    for (const m of modules) await m.close?.();
    await domains.database.close();
  });

  registerRequestLog(app);
  registerProblemHandlers(app);
  registerSecurityHeaders(app, config.baseUrl);
  const { exchangeFailures } = composition.limits;
  app.addHook("preValidation", bearerFirst({ auth: domains.auth, exchangeFailures }));
  registerInputChecks(app);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(cookie);
  await app.register(swagger, openapiOptions(config.baseUrl));

  for (const { routes } of modules) {
    if (routes) await app.register(routes);
  }

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return { app, domains, pruneNow, drain };
}
