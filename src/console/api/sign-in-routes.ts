// The management API of the console session itself: signing in and out, the second step's code,
// and one's own TOTP enrolment.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { accountKey } from "../../http/failures.js";
import type { ConsoleDeps } from "../deps.js";
import {
  clearConsoleCookie,
  requireConsole,
  requireConsoleChange,
  setConsoleCookie,
  signIn,
} from "../signin/guard.js";
import { Me, meJson, NoContent, Problems, security, tags } from "./schemas.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "consoleFailures" | "management">;

const Code = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 32 }) },
  { additionalProperties: false },
);

/** Sign in, sign out, who is signed in, and the TOTP code a sign-in owes. */
export function signInRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/v1/manage/sign-in",
    {
      schema: {
        tags,
        summary: "Sign in to the console (an operator by email; a partner user with partner_id)",
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            partner_id: Type.Optional(Type.String({ maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Me, ...Problems },
      },
    },
    async (request, reply) => {
      const { token, session } = await signIn(services, request, {
        login: request.body.login,
        password: request.body.password,
        partnerId: request.body.partner_id,
      });
      setConsoleCookie(services, reply, token);
      return meJson(session);
    },
  );

  app.post(
    "/v1/manage/sign-out",
    { schema: { tags, security, summary: "End the console session", response: NoContent } },
    async (request, reply) => {
      const { session } = await requireConsoleChange(services, request, undefined, {
        owing: true,
      });
      await services.consoleAuth.signOut(session.id);
      clearConsoleCookie(services, reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/manage/me",
    {
      schema: {
        tags,
        security,
        summary: "Who is signed in, and the CSRF token changes must carry",
        response: { 200: Me, ...Problems },
      },
    },
    async (request) => meJson(await requireConsole(services, request, { owing: true })),
  );

  signInCodeRoute(scope, services);
}

/** The TOTP code (or a recovery code) a sign-in owes. */
function signInCodeRoute(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/v1/manage/sign-in/totp",
    {
      schema: {
        tags,
        security,
        summary: "Give the TOTP code (or a recovery code) a sign-in owes; five wrong codes end it",
        body: Code,
        response: { 200: Me, ...Problems },
      },
    },
    async (request) => {
      const { session, ip } = await requireConsoleChange(services, request, undefined, {
        owing: true,
      });
      // Six digits are few: wrong codes count per address and person (before any check).
      const key = accountKey(ip, session.viewer.id);
      await services.consoleFailures.check(key);
      try {
        await services.consoleAuth.giveCode(session, request.body.code);
      } catch (error) {
        await services.consoleFailures.fail(key, request.log);
        throw error;
      }
      return meJson({ ...session, pending: null });
    },
  );
}

/** One's own second factor: enrol, confirm with a first code, turn it off. */
export function secondFactorRoutes(scope: FastifyInstance, services: Deps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  /** A change to one's own second factor: allowed while an enrolment is owed, not a code. */
  const requireEnrolment = async (request: FastifyRequest) => {
    const acting = await requireConsoleChange(services, request, undefined, { owing: true });
    if (acting.session.pending === "totp") throw new HandoffError("second_factor_required");
    return acting;
  };

  app.post(
    "/v1/manage/me/totp",
    {
      schema: {
        tags,
        security,
        summary: "Start enrolling a TOTP second factor: the secret and its otpauth URI, shown once",
        response: {
          201: Type.Object({ otpauth_uri: Type.String(), secret: Type.String() }),
          ...Problems,
        },
      },
    },
    async (request, reply) => {
      const { session } = await requireEnrolment(request);
      const enrolment = await services.consoleAuth.totp.begin(
        session.viewer.id,
        session.viewer.name,
      );
      return reply.code(201).send({ otpauth_uri: enrolment.uri, secret: enrolment.secret });
    },
  );

  app.post(
    "/v1/manage/me/totp/confirm",
    {
      schema: {
        tags,
        security,
        summary: "Confirm the enrolment with a first code: ten recovery codes, shown once",
        body: Code,
        response: {
          200: Type.Object({ recovery_codes: Type.Array(Type.String()) }),
          ...Problems,
        },
      },
    },
    async (request) => {
      const { session } = await requireEnrolment(request);
      const codes = await services.consoleAuth.totp.confirm(session.viewer.id, request.body.code);
      return { recovery_codes: codes };
    },
  );

  app.post(
    "/v1/manage/me/totp/disable",
    {
      schema: {
        tags,
        security,
        summary: "Turn the second factor off (needs a current code)",
        body: Code,
        response: NoContent,
      },
    },
    async (request, reply) => {
      const { session } = await requireConsoleChange(services, request);
      if (services.config.consoleRequire2fa && session.viewer.kind === "operator") {
        throw new HandoffError("forbidden", "operators must keep a second factor here");
      }
      await services.consoleAuth.totp.disable(session.viewer.id, request.body.code);
      return reply.code(204).send(null);
    },
  );
}
