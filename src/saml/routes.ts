// SAML endpoints: the IdP's metadata, single sign-on (an AuthnRequest by HTTP-Redirect or
// HTTP-POST, answered with a signed Response the browser posts to the SP's ACS), and single
// logout (a LogoutRequest by HTTP-Redirect or HTTP-POST, answered in the same binding). A person
// reaches a SAML app through a partner's login link, which ends in the same signed Response
// (IdP-initiated, src/tickets/browser.ts); an AuthnRequest is answered only from a live Handoff
// session that opens the app, else with the "open this app from your partner's site" page. A
// logout also tells the session's other SAML apps, through the browser (src/saml/front-channel.ts):
// their LogoutResponses come back to /saml/slo; apps that offer SOAP are told server to server
// (src/saml/soap-logout.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppService } from "../apps/service.js";
import type { Config } from "../config.js";
import { clientIp } from "../http/client-ip.js";
import { failurePage } from "../pages/failure.js";
import { html, sendPage } from "../pages/html.js";
import { sessionCookieName, sessionCookieOptions } from "../sessions/cookies.js";
import type { SessionService } from "../sessions/service.js";
import type { FrontChannelLogout } from "./front-channel.js";
import type { SamlIdp } from "./idp.js";
import { redirectInput, SamlError, type SamlInput, sessionIndex } from "./idp.js";
import { samlPostPage } from "./post-page.js";
import { samlSignIn } from "./sign-in.js";
import type { SoapLogout } from "./soap-logout.js";

/** What this module uses. */
export interface SamlRouteDeps {
  config: Config;
  saml: SamlIdp;
  samlLogout: FrontChannelLogout;
  soapLogout: SoapLogout;
  sessions: SessionService;
  apps: AppService;
}

type Deps = SamlRouteDeps;

function refused(reply: FastifyReply, request: FastifyRequest, error: unknown): FastifyReply {
  if (!(error instanceof SamlError)) throw error;
  request.log.info({ reason: error.message }, "SAML request refused");
  return sendPage(reply, {
    status: 400,
    title: "This sign-in request was refused",
    body: html`<main><h1>This sign-in request was refused</h1><p>The app sent a SAML request Handoff cannot accept: ${error.message}.</p><p class="muted">Go back to your partner's site and open the app from there.</p></main>`,
  });
}

/** The SAMLRequest or SAMLResponse, and RelayState, of a posted form (nothing else is read). */
function posted(request: FastifyRequest): SamlInput {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const key of ["SAMLRequest", "SAMLResponse", "RelayState"]) {
    if (typeof body[key] === "string") fields[key] = body[key] as string;
  }
  return { binding: "post", body: fields };
}

/**
 * Single logout at /saml/slo: an SP's LogoutRequest ends the session (and the session's other SAML
 * apps are told before the SP is answered); an SP's LogoutResponse moves that telling on.
 */
async function singleLogout(
  services: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: SamlInput,
): Promise<FastifyReply> {
  const answered =
    input.binding === "redirect" ? input.query.SAMLResponse : input.body.SAMLResponse;
  if (answered !== undefined) return services.samlLogout.received(request, reply, input);
  let logout: Awaited<ReturnType<typeof services.saml.logoutRequest>>;
  try {
    logout = await services.saml.logoutRequest(input);
  } catch (error) {
    return refused(reply, request, error);
  }
  // The browser's Handoff session ends, if it is the one the SP names (or the SP names none).
  const cookieName = sessionCookieName(services.config);
  const token = request.cookies[cookieName];
  const session = await services.sessions.check(token);
  if (
    session &&
    (await services.sessions.opens(session, logout.app)) &&
    (logout.sessionIndex === null || logout.sessionIndex === sessionIndex(session.id))
  ) {
    await services.sessions.end(token, "logout", clientIp(request));
    // An app that offers SOAP is told of every session's end that way, but not of its own asking.
    await services.soapLogout.askedBy(session.id, logout.app.id);
    reply.clearCookie(cookieName, sessionCookieOptions(services.config));
    // The session's other SAML apps are told first; this app's answer comes at the end.
    const chain = await services.samlLogout.beforeAnswer(reply, session, logout);
    if (chain) return chain;
  }
  let answer: Awaited<ReturnType<typeof services.saml.logoutResponse>>;
  try {
    answer = await services.saml.logoutResponse(logout);
  } catch (error) {
    return refused(reply, request, error);
  }
  if (answer.binding === "redirect") return reply.redirect(answer.url, 302);
  return samlPostPage(reply, answer.form, logout.app.name, "Signing out of");
}

export async function samlRoutes(app: FastifyInstance, services: Deps): Promise<void> {
  const cookieName = sessionCookieName(services.config);

  app.get(
    "/saml/metadata",
    { schema: { tags: ["saml"], summary: "The SAML identity provider's metadata" } },
    async (_request, reply) =>
      reply
        .type("application/samlmetadata+xml")
        .header("cache-control", "public, max-age=300")
        .send(await services.saml.metadata()),
  );

  const signOn = async (request: FastifyRequest, reply: FastifyReply, input: SamlInput) => {
    let login: Awaited<ReturnType<typeof services.saml.loginRequest>>;
    try {
      login = await services.saml.loginRequest(input);
    } catch (error) {
      return refused(reply, request, error);
    }
    const session = await services.sessions.check(request.cookies[cookieName]);
    if (!session || !(await services.sessions.opens(session, login.app))) {
      return failurePage(reply, "no_session", login.app);
    }
    return samlSignIn(services, reply, login.app, session, {
      inResponseTo: login.id,
      acsUrl: login.acsUrl,
      ...(login.relayState ? { relayState: login.relayState } : {}),
    });
  };

  app.get(
    "/saml/sso",
    { schema: { tags: ["saml"], summary: "Single sign-on: an AuthnRequest by HTTP-Redirect" } },
    async (request, reply) => signOn(request, reply, redirectInput(request.url)),
  );
  app.post(
    "/saml/sso",
    { schema: { tags: ["saml"], summary: "Single sign-on: an AuthnRequest by HTTP-POST" } },
    async (request, reply) => signOn(request, reply, posted(request)),
  );

  app.get(
    "/saml/slo",
    {
      schema: {
        tags: ["saml"],
        summary: "Single logout: a LogoutRequest, or a LogoutResponse, by HTTP-Redirect",
      },
    },
    async (request, reply) => singleLogout(services, request, reply, redirectInput(request.url)),
  );
  app.post(
    "/saml/slo",
    {
      schema: {
        tags: ["saml"],
        summary: "Single logout: a LogoutRequest, or a LogoutResponse, by HTTP-POST",
      },
    },
    async (request, reply) => {
      const input = posted(request);
      // The SP's page posts across sites, and a SameSite=Lax cookie does not come with such a
      // POST: the browser posts the same form again from Handoff's own page, with the cookie.
      // (Nothing is read or used up on the first pass; the request's checks run on the second.)
      if (request.headers["sec-fetch-site"] === "cross-site" && input.binding === "post") {
        const action = `${services.config.baseUrl}/saml/slo`;
        return samlPostPage(reply, { action, fields: input.body }, "Handoff", "Signing out of");
      }
      return singleLogout(services, request, reply, input);
    },
  );
}
