// What the person's browser does: open a login link (a GET that only shows a page), continue
// (the POST that uses the ticket, sets the session cookie and redirects), and sign out.
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { App } from "../apps/service.js";
import { parseSecret, SecretPrefix } from "../crypto/secrets.js";
import { clientIp } from "../http/client-ip.js";
import { HandoffError, type PageFailure, pageFailureCatalogue } from "../http/errors.js";
import { logError, toHandoffError } from "../http/problem.js";
import { html, sendPage } from "../pages/html.js";
import type { SamlSettings } from "../saml/settings.js";
import { samlSignIn } from "../saml/sign-in.js";
import type { Services } from "../services.js";
import type { Preview } from "./service.js";

/** What this module uses of the app's services. */
type Deps = Pick<Services, "config" | "otp" | "redeemFailures" | "saml" | "sessions" | "tickets">;

import { sessionCookieName, sessionCookieOptions } from "../sessions/cookies.js";
import { defaultReturnPath, landingUrl } from "./return-path.js";

const TicketParams = Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 128 }) });

/** Where the person goes next when the app has no failure URL: the same link only if it still works. */
function nextStep(reason: PageFailure): string {
  switch (reason) {
    case "cross_site":
    case "rate_limited":
    case "unavailable":
      return "Go back to the site you came from and open the link again.";
    case "no_session":
    case "step_expired":
      return "Go back to your partner's site and open the app from there.";
    default:
      return "Go back to the site that sent the link and ask it for a new link.";
  }
}

/** The page for a failed sign-in (src/http/errors.ts holds each reason's status and words). */
export function failurePage(
  reply: FastifyReply,
  reason: PageFailure,
  app: App | null,
): FastifyReply {
  const { status, title, text } = pageFailureCatalogue[reason];
  const back = app?.failureUrl
    ? html`<p><a href="${app.failureUrl}">Go back to ${app.name}</a></p>`
    : html`<p class="muted">${nextStep(reason)}</p>`;
  return sendPage(reply, {
    status,
    title,
    body: html`<main><h1>${title}</h1><p>${text}</p>${back}<p class="muted">Reason: ${reason}</p></main>`,
  });
}

/**
 * State-changing browser requests must come from our own pages. `Sec-Fetch-Site` is sent by
 * every current browser; a request without it (curl, an old browser) is judged by `Origin`.
 */
export function crossSite(request: FastifyRequest, baseUrl: string): boolean {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "cross-site";
  const origin = request.headers.origin;
  return typeof origin === "string" && origin !== "null" && origin !== new URL(baseUrl).origin;
}

/**
 * The one-time-code step in front of a link whose ticket asks for one: where the code goes, a
 * button that sends it (a POST: a GET never sends anything, so link scanners cannot spend
 * codes), and the field for the code. The person can always go back to the partner's site.
 */
async function otpPage(
  services: Pick<Deps, "otp">,
  reply: FastifyReply,
  ticket: string,
  preview: Extract<Preview, { ok: true }>,
  action: string,
  problem?: { status: number; message: string },
): Promise<FastifyReply> {
  const view = await services.otp.view(preview.ticketId, preview.otp);
  const app = preview.app;
  const alternate = preview.otp === "alternate_email";
  const where = view.destination
    ? html`<strong>${view.destination}</strong>`
    : html`an address you choose`;
  const addressField = alternate
    ? html`<p><label for="alternate">Email address for the code</label><br><input id="alternate" name="alternate" type="email" autocomplete="email" required></p>`
    : html``;
  const sendLabel = view.sent ? "Send a new code" : "Send me a code";
  const canSend = view.resendInMs !== null && view.resendInMs === 0;
  const sendForm =
    view.resendInMs === null
      ? html`<p class="muted">No more codes can be sent for this link.</p>`
      : canSend
        ? html`<form method="post" action="/login/${ticket}/otp">${addressField}<button type="submit"${view.sent ? html` class="secondary"` : ""}>${sendLabel}</button></form>`
        : html`<p class="muted">You can ask for a new code in ${Math.ceil(view.resendInMs / 1000)} s.</p>`;
  const delivery =
    view.delivery === "failed"
      ? html`<p role="alert">The message could not be delivered. Ask for a new code, or go back and try later.</p>`
      : view.delivery === "retrying"
        ? html`<p role="status">The message could not be delivered yet; Handoff is trying again.</p>`
        : view.delivery === "pending"
          ? html`<p class="muted">The message is on its way.</p>`
          : html``;
  const codeForm = view.sent
    ? html`<form method="post" action="${action}"><p><label for="code">The 6-digit code</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required></p><button type="submit">Continue</button></form>`
    : html``;
  const back = app.failureUrl
    ? html`<p><a href="${app.failureUrl}">Go back to ${app.name}</a></p>`
    : html`<p class="muted">To stop here, close this page and go back to the site you came from.</p>`;
  return sendPage(reply, {
    status: problem?.status ?? 200,
    title: `A code to sign in to ${app.name}`,
    formTargets: [new URL(app.baseUrl).origin],
    body: html`<main><h1>A code to sign in to ${app.name}</h1>${problem ? html`<p role="alert"><strong>${problem.message}</strong></p>` : ""}<p>${view.sent ? html`We sent a code to ${where}. It works for 10 minutes.` : html`We will send a one-time code to ${where}.`}</p>${delivery}${codeForm}${sendForm}${back}</main>`,
  });
}

/**
 * The page in front of a login link (any shape's: `/login/…`, Xoxoday's redirect …). It reads
 * the ticket but never uses it; the form continues with a POST to `/login/{ticket}`.
 */
export async function loginPage(
  services: Pick<Deps, "otp" | "sessions" | "tickets">,
  ticket: string,
  reply: FastifyReply,
  landing?: { view: string; accountId: string },
): Promise<FastifyReply> {
  const preview = await services.tickets.preview(ticket);
  if (!preview.ok) {
    return failurePage(reply, preview.reason, preview.app);
  }
  if (
    landing &&
    (landing.accountId !== preview.accountId || !preview.landings.includes(landing.view))
  ) {
    return failurePage(reply, "not_found", null);
  }
  const action = landing
    ? `/login/${ticket}?view=${encodeURIComponent(landing.view)}`
    : `/login/${ticket}`;
  if (preview.otp !== "none") return otpPage(services, reply, ticket, preview, action);
  const target = new URL(preview.app.baseUrl).origin;
  return sendPage(reply, {
    title: `Signing you in to ${preview.app.name}`,
    autoSubmit: true,
    formTargets: [target],
    body: html`<main><h1>Signing you in to ${preview.app.name}…</h1><form id="continue" method="post" action="${action}"><noscript><p>Press the button to continue.</p></noscript><button type="submit">Continue</button></form></main>`,
  });
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
      return loginPage(services, request.params.ticket, reply);
    },
  );

  app.post(
    "/login/:ticket",
    {
      schema: {
        tags: ["browser"],
        summary: "Use a login link: sets the session cookie and redirects (303) to the app",
        params: TicketParams,
        querystring: Type.Object(
          { view: Type.Optional(Type.String({ pattern: "^[a-z_]{1,32}$" })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (crossSite(request, config.baseUrl)) {
        return failurePage(reply, "cross_site", null);
      }
      const ip = clientIp(request);
      try {
        await services.redeemFailures.check(ip);
      } catch (error) {
        if (error instanceof HandoffError && error.code === "rate_limited") {
          reply.headers(error.headers);
          return failurePage(reply, "rate_limited", null);
        }
        throw error;
      }
      let outcome: Awaited<ReturnType<typeof services.tickets.redeem>>;
      try {
        const code = (request.body as { code?: unknown } | undefined)?.code;
        outcome = await services.tickets.redeem(request.params.ticket, {
          ip,
          presentedSession: request.cookies[cookieName],
          view: request.query.view,
          code: typeof code === "string" ? code : undefined,
        });
      } catch (error) {
        // The database is busy or away: nothing was used; the person may simply try again.
        const failure = toHandoffError(error);
        if (failure.code !== "service_unavailable") throw error;
        logError(failure, request);
        reply.headers(failure.headers);
        return failurePage(reply, "unavailable", null);
      }
      if (outcome.ok === "step") {
        const preview = await services.tickets.preview(request.params.ticket);
        if (!preview.ok) return failurePage(reply, preview.reason, preview.app);
        const action = request.url.replace(/^[^?]*/, `/login/${request.params.ticket}`);
        return otpPage(
          services,
          reply,
          request.params.ticket,
          preview,
          action,
          outcome.wrongCode
            ? { status: 401, message: "That code is not right. Try again." }
            : undefined,
        );
      }
      if (!outcome.ok) {
        if (outcome.reason === "already_used") {
          const landing = await alreadySignedIn(
            services,
            request.params.ticket,
            request.cookies[cookieName],
          );
          if (landing) return reply.redirect(landing, 303);
        }
        if (outcome.reason === "not_found") await services.redeemFailures.fail(ip, request.log);
        return failurePage(reply, outcome.reason, outcome.app);
      }
      reply.setCookie(
        cookieName,
        outcome.sessionToken,
        sessionCookieOptions(config, outcome.sessionSeconds),
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
    },
  );

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
      if (crossSite(request, config.baseUrl)) return failurePage(reply, "cross_site", null);
      const ticket = request.params.ticket;
      const preview = await services.tickets.preview(ticket);
      if (!preview.ok) {
        if (preview.reason === "not_found") {
          await services.redeemFailures.fail(clientIp(request), request.log);
        }
        return failurePage(reply, preview.reason, preview.app);
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
        return otpPage(services, reply, ticket, preview, `/login/${ticket}`, {
          status: failure.status,
          message: message.charAt(0).toUpperCase() + message.slice(1),
        });
      }
      return reply.redirect(`/login/${ticket}`, 303);
    },
  );

  app.post(
    "/logout",
    { schema: { tags: ["browser"], summary: "End the session and clear the cookie" } },
    async (request, reply) => {
      if (crossSite(request, config.baseUrl)) {
        return failurePage(reply, "cross_site", null);
      }
      await services.sessions.end(request.cookies[cookieName], "logout", clientIp(request));
      reply.clearCookie(cookieName, sessionCookieOptions(config));
      return sendPage(reply, {
        title: "Signed out",
        body: html`<main><h1>You are signed out</h1><p>You can close this page.</p></main>`,
      });
    },
  );
}
