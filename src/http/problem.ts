// Renders every error as application/problem+json (RFC 9457), or hands it to a route's own envelope.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, errorCatalogue, HandoffError } from "./errors.js";

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  request_id: string;
}

/** Maps anything thrown in a request to a HandoffError; unknown errors become internal_error. */
export function toHandoffError(error: unknown): HandoffError {
  if (error instanceof HandoffError) return error;
  const fastifyError = error as Partial<FastifyError> & { status?: number };
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HandoffError("payload_too_large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_TYPE":
      return new HandoffError("unsupported_media_type");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HandoffError("invalid_json", "The body is empty but Content-Type says JSON.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new HandoffError("invalid_json");
  }
  if (fastifyError.validation) {
    // Ajv says "must NOT have additional properties" without naming the property; name it.
    const extra = fastifyError.validation
      .map((v) => (v.params as { additionalProperty?: unknown }).additionalProperty)
      .find((p) => typeof p === "string");
    // And "must be equal to one of the allowed values" without the values; list them.
    const allowed = fastifyError.validation
      .map((v) => (v.params as { allowedValues?: unknown }).allowedValues)
      .find((values) => Array.isArray(values));
    return new HandoffError(
      "invalid_request",
      extra
        ? `${fastifyError.message}: "${String(extra).slice(0, 64)}" is not a known field`
        : allowed
          ? `${fastifyError.message}: ${allowed.map(String).join(", ")}`
          : fastifyError.message,
    );
  }
  if (fastifyError.statusCode === 413) return new HandoffError("payload_too_large");
  if (fastifyError.statusCode === 415) return new HandoffError("unsupported_media_type");
  if (
    typeof fastifyError.statusCode === "number" &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new HandoffError("invalid_request");
  }
  if (isDatabaseUnavailable(error))
    return new HandoffError("service_unavailable", undefined, {
      cause: error,
      headers: { "retry-after": "5" },
    });
  return new HandoffError("internal_error", undefined, { cause: error });
}

/** Connection-level database failures (not constraint violations): the client should retry. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    ([
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "ENOTFOUND",
      "EPIPE",
      "SQLITE_BUSY",
      "SQLITE_LOCKED",
      "57P01",
      "57P03",
      "53300",
      "40001",
      "40P01",
    ].includes(code) ||
      code.startsWith("08"))
  );
}

export function problemBody(error: HandoffError, request: FastifyRequest): Problem {
  const problem: Problem = {
    type: `https://handoff.dev/errors/${error.code}`,
    title: errorCatalogue[error.code].title,
    status: error.status,
    code: error.code,
    request_id: request.id,
  };
  if (error.detail !== undefined) problem.detail = error.detail;
  return problem;
}

/** Logs server faults with their cause; client mistakes at info level without a stack. */
export function logError(error: HandoffError, request: FastifyRequest): void {
  if (error.status >= 500) {
    request.log.error({ err: error.cause ?? error, code: error.code }, "request failed");
  } else {
    request.log.info({ code: error.code, status: error.status }, "request refused");
  }
}

export function sendProblem(
  error: HandoffError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  logError(error, request);
  return reply
    .status(error.status)
    .headers(error.headers)
    .type("application/problem+json")
    .send(problemBody(error, request));
}

/** Installs the problem+json error and not-found handlers. */
/**
 * An error handler for a vendor's shape: the same status, headers and log line as every error,
 * with the body in that vendor's envelope.
 */
export function envelopeErrorHandler(body: (error: HandoffError) => unknown) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const handoffError = toHandoffError(error);
    logError(handoffError, request);
    return reply.status(handoffError.status).headers(handoffError.headers).send(body(handoffError));
  };
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) =>
    sendProblem(toHandoffError(error), request, reply),
  );
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(app, request.url);
    if (allowed.length === 0) return sendProblem(new HandoffError("not_found"), request, reply);
    const allow = allowed.join(", ");
    const error = new HandoffError("method_not_allowed", `this address answers ${allow}`, {
      headers: { allow },
    });
    return sendProblem(error, request, reply);
  });
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The methods some route answers at this URL (RFC 9110 §15.5.6: 405 with Allow, not 404). */
function allowedMethods(app: FastifyInstance, url: string): string[] {
  const path = url.split("?")[0] ?? "";
  return METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}
