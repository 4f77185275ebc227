// Seed 002 (Xoxoday SSO redirection API): POST /chef/v1/oauth/sso/stores/company mints a login
// link for the user named by email, and GET /chef/v1/oauth/redirect/stores/{ssoToken} is that
// link. A thin adapter over the native mint and redemption (docs/compat/xoxoday.md).
import { type Static, Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { decodeJwt } from "jose";
import type { AppService } from "../apps/service.js";
import { requirePartner } from "../auth/guard.js";
import type { AuthService } from "../auth/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { ProblemSchema } from "../http/schemas.js";
import type { OtpService } from "../otp/service.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService } from "../tickets/service.js";

/** What this module uses. */
export interface XoxodayDeps {
  apps: AppService;
  auth: AuthService;
  clock: Clock;
  config: Config;
  exchangeFailures: FailureLimiter;
  otp: OtpService;
  sessions: SessionService;
  tickets: TicketService;
}

import { loginPage } from "../tickets/link-page.js";
import { OTP_MODES } from "../tickets/service.js";
import { canonicalEmail, checkEmail } from "../users/service.js";

/** "Default validity is 14 days" (the page), bounded by the app's own maximum. */
export const XOXODAY_TICKET_SECONDS = 14 * 24 * 3600;
/** The app the storefront redirect lands in: the one registered under this product name. */
export const XOXODAY_PRODUCT = "storefront";

const KNOWN_TPD = new Set(["auth_token", "unique_id", "email", "phone", "otp"]);

const Tpd = Type.Object(
  {
    auth_token: Type.Optional(Type.String({ maxLength: 4096 })),
    unique_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    email: Type.Optional(
      Type.Object(
        {
          default_value: Type.Optional(Type.String({ maxLength: 254 })),
          editable: Type.Optional(Type.Boolean()),
          hidden: Type.Optional(Type.Boolean()),
          support_alternate: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    phone: Type.Optional(
      Type.Object(
        {
          default_value: Type.Optional(Type.String({ pattern: "^[0-9]{4,20}$" })),
          phone_code: Type.Optional(Type.String({ pattern: "^\\+?[0-9]{1,4}$" })),
          editable: Type.Optional(Type.Boolean()),
          hidden: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    otp: Type.Optional(Type.Union(OTP_MODES.map((m) => Type.Literal(m)))),
  },
  // "any custom parameter for each user" (the page): kept, sealed, as partner data.
  { additionalProperties: true, maxProperties: 50 },
);

const SsoRequest = Type.Object(
  {
    user_input: Type.String({ minLength: 3, maxLength: 254 }),
    tpd: Type.Optional(Tpd),
  },
  { additionalProperties: false },
);

type TpdInput = Static<typeof Tpd>;

/** The partner data the ticket carries: the custom parameters, and the partner's auth token. */
function partnerDataOf(tpd: TpdInput): Record<string, unknown> | undefined {
  const partnerData: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tpd)) {
    if (!KNOWN_TPD.has(key) || key === "auth_token") partnerData[key] = value;
  }
  return Object.keys(partnerData).length > 0 ? partnerData : undefined;
}

/** The email and phone field settings for the app (their default values go to the user). */
function fieldSettingsOf(tpd: TpdInput): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  if (tpd.email) {
    const { default_value: _, ...settings } = tpd.email;
    fields.email = settings;
  }
  if (tpd.phone) {
    const { default_value: _, phone_code: __, ...settings } = tpd.phone;
    fields.phone = settings;
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

export async function xoxodayRoutes(
  fastify: FastifyInstance,
  services: XoxodayDeps,
): Promise<void> {
  xoxodayPartnerRoutes(fastify, services);
  xoxodayLinkRoutes(fastify, services);
}

/** The partner's calls: the SSO redirection API (mint a login link) and the token check. */
function xoxodayPartnerRoutes(fastify: FastifyInstance, services: XoxodayDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/chef/v1/oauth/sso/stores/company",
    {
      schema: {
        tags: ["compat: Xoxoday"],
        summary: "Xoxoday's SSO redirection API: mint a login link for the user with this email",
        security: [{ bearer: [] }],
        body: SsoRequest,
        response: {
          200: Type.Object({ data: Type.Object({ ssoToken: Type.String() }) }),
          "4xx": ProblemSchema,
        },
      },
    },
    async (request) => {
      const principal = await requirePartner(services, request);
      const target = await services.apps.findByProduct(XOXODAY_PRODUCT);
      if (!target) {
        throw new HandoffError(
          "unknown_app",
          `no app is registered for product "${XOXODAY_PRODUCT}"`,
        );
      }
      const { user_input: userInput, tpd = {} } = request.body;
      const email = checkEmail(userInput);
      const partnerData = partnerDataOf(tpd);
      const fields = fieldSettingsOf(tpd);
      const minted = await services.tickets.mint({
        partnerId: principal.partnerId,
        apiTokenId: principal.apiTokenId,
        // "Used to create or fetch the account": the account is keyed by the email.
        user: {
          id: canonicalEmail(email),
          email: tpd.email?.default_value ?? email,
          phone: tpd.phone?.default_value
            ? { number: tpd.phone.default_value, country_code: tpd.phone.phone_code ?? "" }
            : undefined,
        },
        appId: target.id,
        ttlSeconds: Math.min(XOXODAY_TICKET_SECONDS, target.ticketTtlMax),
        fields,
        otp: tpd.otp,
        partnerData,
        context: tpd.unique_id ? { unique_id: tpd.unique_id } : undefined,
        ip: clientIp(request),
      });
      return { data: { ssoToken: minted.ticket } };
    },
  );

  // The vendor's token check: 200 with the token's expiry while it is valid, 401 otherwise.
  app.get(
    "/chef/v1/oauth/token",
    {
      schema: {
        tags: ["compat: Xoxoday"],
        summary: "Validate an access token, as the vendor's token check answers",
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({
            access_token: Type.String(),
            token_type: Type.Literal("bearer"),
            expires_in: Type.Integer(),
            access_token_expiry: Type.Integer(),
          }),
          "4xx": ProblemSchema,
        },
      },
    },
    async (request) => {
      await requirePartner(services, request);
      // Verified just above; only its expiry is read here.
      const token = (request.headers.authorization ?? "").slice("Bearer ".length);
      const exp = decodeJwt(token).exp ?? 0;
      return {
        access_token: token,
        token_type: "bearer" as const,
        expires_in: Math.max(0, Math.round(exp - services.clock.now() / 1000)),
        access_token_expiry: exp * 1000,
      };
    },
  );
}

/** The redirect that is the login link, for the person's browser. */
function xoxodayLinkRoutes(fastify: FastifyInstance, services: XoxodayDeps): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // The redirect is a login link like any other: GET shows the page, which continues with POST.
  app.get(
    "/chef/v1/oauth/redirect/stores/:ssoToken",
    {
      schema: {
        tags: ["compat: Xoxoday"],
        summary: "Xoxoday's redirection URL: the page in front of the login link",
        params: Type.Object({ ssoToken: Type.String({ minLength: 1, maxLength: 128 }) }),
      },
    },
    async (request, reply) =>
      loginPage(services, request.params.ssoToken, reply, clientIp(request)),
  );
}
