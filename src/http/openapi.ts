// The OpenAPI document's frame (GET /openapi.json): its info, server and security schemes; the
// operations come from each route's TypeBox schema.
import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

type Operation = {
  operationId?: string;
  security?: unknown[];
  tags?: string[];
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
};

/** `post /v1/sso/tickets/{id}` → `postV1SsoTicketsId`: stable, unique per method and path. */
export function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  // A vendor's path with a trailing slash is served beside the one without.
  if (path.length > 1 && path.endsWith("/")) words.push("slash");
  return [method.toLowerCase(), ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join("");
}

/**
 * What the routes' schemas leave out, filled in on the whole document: an operationId for every
 * operation, `security: []` on the public ones (none needed), a `4XX` answer on those whose
 * schema names none (redocly's recommended rules want one), and errors as
 * `application/problem+json`, which is what the native API sends (the vendors' shapes answer in
 * their own JSON envelopes, so theirs stay `application/json`).
 */
export function completeDocument(document: { paths?: Record<string, Record<string, Operation>> }) {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      operation.operationId ??= operationIdOf(method, path);
      operation.security ??= [];
      operation.responses ??= {};
      const responses = operation.responses;
      if (!Object.keys(responses).some((status) => /^4/.test(status))) {
        responses["4XX"] = {
          description:
            "Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md)",
        };
      }
      if (operation.tags?.some((tag) => tag.startsWith("compat:"))) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.["application/json"];
        if (!/^[45]/.test(status) || json === undefined || !response.content) continue;
        delete response.content["application/json"];
        response.content["application/problem+json"] = json;
      }
    }
  }
  return document;
}

export function openapiOptions(baseUrl: string): FastifyDynamicSwaggerOptions {
  return {
    // The document's type is a union of OpenAPI versions; this one is 3.1 (above).
    transformObject: (object) =>
      completeDocument(
        ("openapiObject" in object ? object.openapiObject : object.swaggerObject) as Parameters<
          typeof completeDocument
        >[0],
      ) as ReturnType<NonNullable<FastifyDynamicSwaggerOptions["transformObject"]>>,
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Handoff",
        version: "0.1.0",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
        description:
          "Partner single sign-on: exchange credentials, mint login links, redeem them, know the user.",
      },
      servers: [{ url: baseUrl }],
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
  };
}
