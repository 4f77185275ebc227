// What the person's browser does: open a login link (a GET that only shows a page), continue
// (the POST that uses the ticket, sets the session cookie and redirects), and sign out.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SamlSettings } from "../apps/saml-settings.js";
import type { App } from "../apps/service.js";
import type { Config } from "../config.js";
import { parseSecret, SecretPrefix } from "../crypto/secrets.js";
import { clientIp } from "../http/client-ip.js";
import { sameOrigin } from "../http/cross-site.js";
import type { FailureLimiter } from "../http/failures.js";
import { logError, toHandoffError } from "../http/problem.js";
import { otpPage } from "../otp/page.js";
import type { OtpService } from "../otp/service.js";
import { chargedFailurePage, failurePage } from "../pages/failure.js";
import type { FrontChannelLogout } from "../saml/front-channel.js";
import type { SamlIdp } from "../saml/idp.js";
import { samlSignIn } from "../saml/sign-in.js";
import { sessionCookieName, sessionCookieOptions } from "../sessions/cookies.js";
import type { SessionService } from "../sessions/service.js";
import { loginPage } from "./link-page.js";
import { defaultReturnPath, landingUrl } from "./return-path.js";
import type { RedeemOutcome, TicketService } from "./service.js";

/** What the browser's routes use. */
export interface BrowserDeps {
  config: Config;
  otp: OtpService;
  redeemFailures: FailureLimiter;
  saml: SamlIdp;
  samlLogout: FrontChannelLogout;
  sessions: SessionService;
  tickets: TicketService;
}

type Deps = BrowserDeps;

const TicketParams = Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 128 }) });
const ViewQuery = Type.Object(
  { view: Type.Optional(Type.String({ pattern: "^[a-z_]{1,32}$" })) },
  { additionalProperties: false },
);

/** A login link being used: its ticket, and the view of it a seed's link asked for. */
interface LinkUse {
  ticket: string;
  view: string | undefined;
}

/**
 * Where a browser goes when it opens a link it has already used while the session that link made
 * is still live: the app, as if the link had just worked (it is the same person, signed in), rather
 * than the "already used" page. Null for anyone else, whose page stays the same.
 */
async function alreadySignedIn(
  services: Deps,
  ticket: string,
  presentedSession: string | undefined,
): Promise<string | null> {
  const locator = parseSecret(SecretPrefix.ticket, ticket)?.id;
  if (!locator || !presentedSession) return null;
  const session = await services.sessions.check(presentedSession);
  if (!session || session.ticketId !== locator) return null;
  // The preview checks the ticket's secret too: only the very link that made this session.
  const preview = await services.tickets.preview(ticket);
  if (preview.ok || preview.reason !== "already_used" || preview.app?.id !== session.appId)
    return null;
  return landingUrl(preview.app.baseUrl, defaultReturnPath(preview.app.returnPaths));
}

/** Uses the ticket, or shows the "unavailable" page when the database is busy or away. */
async function redeemTicket(
  services: Deps,
  request: FastifyRequest,
  link: LinkUse,
  reply: FastifyReply,
  ip: string,
): Promise<{ outcome: RedeemOutcome } | { page: FastifyReply }> {
  try {
    const code = (request.body as { code?: unknown } | undefined)?.code;
    const outcome = await services.tickets.redeem(link.ticket, {
      ip,
      presentedSession: request.cookies[sessionCookieName(services.config)],
      view: link.view,
      code: typeof code === "string" ? code : undefined,
    });
    return { outcome };
  } catch (error) {
    // The database is busy or away: nothing was used; the person may simply try again.
    const failure = toHandoffError(error);
    if (failure.code !== "service_unavailable") throw error;
    logError(failure, request);
    reply.headers(failure.headers);
    return { page: failurePage(reply, "unavailable", null) };
  }
}

/** The one-time code step of a ticket that asks for one (again, after a wrong code). */
async function otpStep(
  services: Deps,
  request: FastifyRequest,
  link: LinkUse,
  reply: FastifyReply,
  wrongCode: false | "wrong" | "expired",
): Promise<FastifyReply> {
  const preview = await services.tickets.preview(link.ticket);
  if (!preview.ok) return failurePage(reply, preview.reason, preview.app);
  const action = request.url.replace(/^[^?]*/, `/login/${link.ticket}`);
  return otpPage(
    services.otp,
    reply,
    link.ticket,
    preview,
    action,
    wrongCode === "expired"
      ? { status: 401, message: "That code has expired. Ask for a new code below." }
      : wrongCode
        ? { status: 401, message: "That code is not right. Try again." }
        : undefined,
  );
}

/** A refused ticket: the app for the person who already used it, else the page with the reason. */
async function refusedTicket(
  services: Deps,
  request: FastifyRequest,
  link: LinkUse,
  reply: FastifyReply,
  outcome: Extract<RedeemOutcome, { ok: false }>,
): Promise<FastifyReply> {
  if (outcome.reason === "already_used") {
    const landing = await alreadySignedIn(
      services,
      link.ticket,
      request.cookies[sessionCookieName(services.config)],
    );
    if (landing) return reply.redirect(landing, 303);
  }
  if (outcome.reason === "not_found") {
    return chargedFailurePage(services.redeemFailures, request, reply, "not_found", outcome.app);
  }
  return failurePage(reply, outcome.reason, outcome.app);
}

/** The new session: its cookie, then the app (through a signed SAML Response for a SAML app). */
async function landInApp(
  services: Deps,
  reply: FastifyReply,
  outcome: Extract<RedeemOutcome, { ok: true }>,
): Promise<FastifyReply> {
  reply.setCookie(
    sessionCookieName(services.config),
    outcome.sessionToken,
    sessionCookieOptions(services.config, outcome.sessionSeconds),
  );
  if (outcome.app.saml) {
    // A SAML app: the browser posts a signed Response to its ACS (IdP-initiated), with the
    // landing URL as RelayState.
    const session = await services.sessions.live(outcome.sessionId);
    if (session) {
      return samlSignIn(services, reply, outcome.app as App & { saml: SamlSettings }, session, {
        relayState: outcome.location,
      });
    }
  }
  return reply.redirect(outcome.location, 303);
}

/** Uses a login link: the session cookie and the app, the one-time code step, or why not. */
async function redeemLoginLink(
  services: Deps,
  request: FastifyRequest,
  link: LinkUse,
  reply: FastifyReply,
): Promise<FastifyReply> {
  if (!sameOrigin(request, services.config.baseUrl, { legacyNullOrigin: true })) {
    return failurePage(reply, "cross_site", null);
  }
  const ip = clientIp(request);
  const redeemed = await redeemTicket(services, request, link, reply, ip);
  if ("page" in redeemed) return redeemed.page;
  const { outcome } = redeemed;
  if (outcome.ok === "step") return otpStep(services, request, link, reply, outcome.wrongCode);
  if (!outcome.ok) return refusedTicket(services, request, link, reply, outcome);
  return landInApp(services, reply, outcome);
}

export async function browserRoutes(fastify: FastifyInstance, services: Deps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = services;
  const cookieName = sessionCookieName(config);

  // GET (and HEAD) only show the page: a link scanner or chat preview never uses the ticket.
  app.get(
    "/login/:ticket",
    {
      schema: {
        tags: ["browser"],
        summary: "The page in front of a login link",
        params: TicketParams,
      },
    },
    async (request, reply) => {
      const landing = await alreadySignedIn(
        services,
        request.params.ticket,
        request.cookies[cookieName],
      );
      if (landing) return reply.redirect(landing, 303);
      return loginPage(services, request.params.ticket, reply, clientIp(request));
    },
  );

  app.post(
    "/login/:ticket",
    {
      schema: {
        tags: ["browser"],
        summary: "Use a login link: sets the session cookie and redirects (303) to the app",
        params: TicketParams,
        querystring: ViewQuery,
      },
    },
    async (request, reply) =>
      redeemLoginLink(
        services,
        request,
        { ticket: request.params.ticket, view: request.query.view },
        reply,
      ),
  );

  app.post(
    "/logout",
    { schema: { tags: ["browser"], summary: "End the session and clear the cookie" } },
    async (request, reply) => {
      if (!sameOrigin(request, config.baseUrl, { legacyNullOrigin: true })) {
        return failurePage(reply, "cross_site", null);
      }
      const session = await services.sessions.check(request.cookies[cookieName]);
      await services.sessions.end(request.cookies[cookieName], "logout", clientIp(request));
      reply.clearCookie(cookieName, sessionCookieOptions(config));
      // The session's SAML apps are told in turn (front-channel single logout), then the page.
      return services.samlLogout.afterLogout(request, reply, session);
    },
  );

  app.post(
    "/logout/continue",
    {
      schema: {
        tags: ["browser"],
        summary: "The next step of a browser logout (the front-channel page posts here)",
      },
    },
    async (request, reply) => {
      if (!sameOrigin(request, config.baseUrl, { legacyNullOrigin: true })) {
        return failurePage(reply, "cross_site", null);
      }
      // Only the chain goes on: a session signed in since (another tab) is not ended by a page
      // that posts itself.
      return services.samlLogout.afterLogout(request, reply, null);
    },
  );
}
