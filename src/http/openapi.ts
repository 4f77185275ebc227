// The OpenAPI document's frame (GET /openapi.json): its info, server and security schemes; the
// operations come from each route's TypeBox schema.
import type { SwaggerOptions } from "@fastify/swagger";

export function openapiOptions(baseUrl: string): SwaggerOptions {
  return {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Handoff",
        version: "0.1.0",
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
