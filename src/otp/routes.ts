// The one-time-code step's route: send the code a login link asks for (a POST: a GET never
// sends, so link scanners cannot spend codes), then back to the link's page.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.js";
import { sameOrigin } from "../http/cross-site.js";
import type { FailureLimiter } from "../http/failures.js";
import { toHandoffError } from "../http/problem.js";
import { chargedFailurePage, failurePage } from "../pages/failure.js";
import type { TicketService } from "../tickets/service.js";
import { otpPage } from "./page.js";
import type { OtpService } from "./service.js";

/** What the route uses. */
export interface OtpRouteDeps {
  config: Config;
  otp: OtpService;
  tickets: TicketService;
  redeemFailures: FailureLimiter;
}

const TicketParams = Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 128 }) });

export async function otpRoutes(fastify: FastifyInstance, services: OtpRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = services;
  app.post(
    "/login/:ticket/otp",
    {
      schema: {
        tags: ["browser"],
        summary: "Send the one-time code a login link asks for (then back to the link's page)",
        params: TicketParams,
      },
    },
    async (request, reply) => {
      if (!sameOrigin(request, config.baseUrl, { legacyNullOrigin: true }))
        return failurePage(reply, "cross_site", null);
      const ticket = request.params.ticket;
      const preview = await services.tickets.preview(ticket);
      if (!preview.ok) {
        if (preview.reason !== "not_found") return failurePage(reply, preview.reason, preview.app);
        return chargedFailurePage(services.redeemFailures, request, reply, "not_found", null);
      }
      if (preview.otp === "none") return reply.redirect(`/login/${ticket}`, 303);
      const alternate = (request.body as { alternate?: unknown } | undefined)?.alternate;
      try {
        await services.otp.send(
          {
            id: preview.ticketId,
            otp: preview.otp,
            partnerId: preview.partnerId,
            appName: preview.app.name,
          },
          typeof alternate === "string" ? alternate : undefined,
        );
      } catch (error) {
        const failure = toHandoffError(error);
        if (failure.status >= 500) throw error;
        reply.headers(failure.headers);
        const message = failure.detail ?? failure.message;
        return otpPage(services.otp, reply, ticket, preview, `/login/${ticket}`, {
          status: failure.status,
          message: message.charAt(0).toUpperCase() + message.slice(1),
        });
      }
      return reply.redirect(`/login/${ticket}`, 303);
    },
  );
}
