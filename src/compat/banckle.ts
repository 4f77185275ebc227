// Seed 003 (Banckle 3rd-party SSO): one call with email, password, ssokey and product at
// /api/authenticate returns a token that logs the user in. A thin adapter over the native mint
// (docs/compat/banckle.md). The password is accepted and ignored: never stored, logged or used.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppService } from "../apps/service.js";
import type { AuthService } from "../auth/service.js";
import type { Config } from "../config.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError } from "../http/errors.js";
import type { FailureLimiter } from "../http/failures.js";
import { envelopeErrorHandler } from "../http/problem.js";
import type { PartnerService } from "../partners/service.js";
import type { TicketService } from "../tickets/service.js";

/** What this module uses. */
export interface BanckleDeps {
  apps: AppService;
  auth: AuthService;
  config: Config;
  partners: PartnerService;
  redeemFailures: FailureLimiter;
  tickets: TicketService;
}

import { loginUrl } from "../tickets/service.js";
import { canonicalEmail, checkEmail } from "../users/service.js";

/** The products the page lists; each maps to the app the operator registered under that name. */
export const BANCKLE_PRODUCTS = ["accounts", "livechat", "email", "meeting", "groupchat", "remote"];

const FIELDS = ["email", "password", "ssokey", "product"] as const;

/** Errors in the same envelope as success, `stat: "fail"` (our choice: the page shows none). */
const sendBanckleError = envelopeErrorHandler((error) => ({
  status_code: error.status,
  return: { error: error.code, message: error.message },
  stat: "fail",
}));

function field(input: Record<string, unknown>, name: (typeof FIELDS)[number]): string {
  const value = input[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new HandoffError("invalid_request", `${name} is required`);
  }
  if (value.length > 512) throw new HandoffError("invalid_request", `${name} is too long`);
  return value.trim();
}

export async function banckleRoutes(app: FastifyInstance, services: BanckleDeps): Promise<void> {
  const handler = async (request: FastifyRequest) => {
    // "call following URL": the fields arrive in the query (GET) or in a JSON or form body (POST).
    const input = (
      request.method === "GET"
        ? request.query
        : { ...(request.query as object), ...(request.body as object) }
    ) as Record<string, unknown>;
    const email = checkEmail(field(input, "email"));
    field(input, "password"); // required by the shape; deliberately never used (see the docs)
    const ssokey = field(input, "ssokey");
    const product = field(input, "product");

    const ip = clientIp(request);
    const partnerId = await services.partners.authenticateSsoKey(ssokey);
    if (!partnerId) {
      await services.redeemFailures.fail(ip, request.log);
      throw new HandoffError("invalid_sso_key");
    }
    if (!(await services.auth.standing(partnerId, partnerId))) {
      throw new HandoffError("account_inactive");
    }
    const target = BANCKLE_PRODUCTS.includes(product)
      ? await services.apps.findByProduct(product)
      : null;
    if (!target) {
      throw new HandoffError(
        "unknown_app",
        `product must be one of ${BANCKLE_PRODUCTS.join(", ")} with an app registered for it`,
      );
    }
    const partner = await services.partners.get(partnerId);
    const minted = await services.tickets.mint({
      partnerId,
      apiTokenId: null,
      user: { id: canonicalEmail(email), email },
      appId: target.id,
      context: { product },
      ip,
    });
    return {
      status_code: 200,
      return: {
        loginId: email,
        companyName: partner.name,
        isCreator: false,
        domainOwnershipVerified: false,
        token: minted.ticket,
        email,
        userId: minted.userId,
        permissions: [],
        isCompanyAdmin: false,
        accountType: "ENTERPRISE",
        domainMxVerified: false,
        companyId: partnerId,
        displayName: email,
        companyDomain: email.slice(email.lastIndexOf("@") + 1),
        loginUrl: loginUrl(services.config.baseUrl, minted.ticket),
      },
      stat: "ok",
    };
  };
  const options = {
    schema: {
      tags: ["compat: Banckle"],
      summary: "Banckle's one-call SSO: email, password (ignored), ssokey, product → token",
    },
    errorHandler: sendBanckleError,
  };
  app.get("/api/authenticate", options, handler);
  app.post("/api/authenticate", options, handler);
}
