// Log options: request ids, and no secret in any line (URLs, headers, bodies).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyBaseLogger, FastifyLoggerOptions } from "fastify";
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

const LEVELS: Level[] = ["fatal", "error", "warn", "info", "debug", "trace"];

/**
 * Fastify's `childLoggerFactory`: a request's logger is made on its first line. pino's child()
 * serializes and redacts the bindings (the request id) on every request, and at the default
 * level most requests write no line at all. A route with its own level gets its child at once.
 */
export function lazyChildLogger(
  this: unknown,
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level !== undefined) return logger.child(bindings, options);
  let child: FastifyBaseLogger | undefined;
  const real = () => {
    child ??= logger.child(bindings, options);
    return child;
  };
  const lazy: Record<string, unknown> = {
    get level() {
      return logger.level;
    },
    silent: () => {},
    child: (more: Bindings, moreOptions?: ChildLoggerOptions) => real().child(more, moreOptions),
  };
  for (const level of LEVELS) {
    lazy[level] = (...args: unknown[]) => {
      if (!(logger as Logger).isLevelEnabled(level)) return;
      // LogFn is a set of overloads; the arguments go through as the caller gave them.
      (real()[level] as (...all: unknown[]) => void)(...args);
    };
  }
  return lazy as unknown as FastifyBaseLogger;
}
