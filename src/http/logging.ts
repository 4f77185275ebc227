// Log options: request ids, and no secret in any line (URLs, headers, bodies).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger, FastifyInstance, FastifyLoggerOptions } from "fastify";
import type { Bindings, ChildLoggerOptions, Level, Logger, LoggerOptions } from "pino";
import type { LogLevel } from "../config.js";

const SECRET_IN_PATH = /\b(hpt|hak|hsk|hts|hss|has|hrt)_[A-Za-z0-9_-]+/g;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * A URL as it may be logged: secrets in the path masked, every query value dropped (login
 * links, Banckle's `password=`, BlueSnap's `ref=` all travel in query strings).
 */
export function redactUrl(url: string): string {
  const question = url.indexOf("?");
  const path = (question === -1 ? url : url.slice(0, question)).replace(
    SECRET_IN_PATH,
    "$1_[redacted]",
  );
  if (question === -1) return path;
  const keys = url
    .slice(question + 1)
    .split("&")
    .filter(Boolean)
    .map((pair) => `${pair.split("=")[0] ?? ""}=[redacted]`);
  return `${path}?${keys.join("&")}`;
}

/** Uses a caller's X-Request-Id when it is short and plain, otherwise a new UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function loggerOptions(level: LogLevel): FastifyLoggerOptions & LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "*.password",
        "*.partner_token",
        "*.api_token",
        "*.access_token",
        "*.refresh_token",
        "*.ssokey",
        "*.token",
        "*.ticket",
        "*.client_secret",
        "*.auth_token",
        "*.app_secret",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactUrl(request.url),
        remote_address: request.ip,
      }),
    },
  };
}

/**
 * A request's logger, made on its first line. pino's child() serializes and redacts the
 * bindings (the request id) on every request, and at the usual levels most requests write no
 * line at all. Lines below the route's level (or the logger's) are dropped before that.
 */
class LazyLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #threshold: number;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {
    this.#threshold = parent.levels.values[options.level ?? parent.level] ?? 0;
  }

  get level(): string {
    return this.options.level ?? this.parent.level;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  #log(level: Level, args: unknown[]): void {
    if ((this.parent.levels.values[level] ?? 0) < this.#threshold) return;
    // LogFn is a set of overloads; the arguments go through as the caller gave them.
    (this.#real()[level] as (...all: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#log("fatal", args);
  }
  error(...args: unknown[]): void {
    this.#log("error", args);
  }
  warn(...args: unknown[]): void {
    this.#log("warn", args);
  }
  info(...args: unknown[]): void {
    this.#log("info", args);
  }
  debug(...args: unknown[]): void {
    this.#log("debug", args);
  }
  trace(...args: unknown[]): void {
    this.#log("trace", args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: request loggers made on first use (see LazyLogger). */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  // Fastify's logger is pino; FastifyBaseLogger's LogFn overloads are met by the rest parameters.
  return new LazyLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
}

/**
 * One line per request, when it is answered (Fastify's own request logging, off, wrote two):
 * method, URL (secrets masked, query values dropped), client address, status and time taken.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook("onResponse", (request, reply, done) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      "request completed",
    );
    done();
  });
}
