// How requests are validated. A body is checked as it is: a JSON number must be a number, a string
// a string, and nothing is added or removed. Path and query values are always text, so they are
// converted to the schema's type first (`?limit=2` is the integer 2), as Fastify does by default.
import AjvCompiler from "@fastify/ajv-compiler";
import type { FastifyServerOptions } from "fastify";

const EXACT = { removeAdditional: false, coerceTypes: false, allErrors: false } as const;

type Compile = (route: { httpPart?: string }) => unknown;

export const schemaController: NonNullable<FastifyServerOptions["schemaController"]> = {
  compilersFactory: {
    buildValidator(externalSchemas) {
      const pool = AjvCompiler();
      // @fastify/ajv-compiler types its compiler as Ajv's compile; Fastify calls it with the
      // route's schema definition ({ schema, method, url, httpPart }), which is what it takes.
      const exact = pool(externalSchemas, { customOptions: EXACT }) as unknown as Compile;
      const converting = pool(externalSchemas, {
        customOptions: { ...EXACT, coerceTypes: true },
      }) as unknown as Compile;
      const compile: Compile = (route) =>
        route.httpPart === "querystring" || route.httpPart === "params"
          ? converting(route)
          : exact(route);
      return compile as unknown as ReturnType<typeof pool>;
    },
  },
};
