// /oidc: oidc-provider's endpoints (discovery, auth, token, userinfo, jwks, logout, revocation)
// handed the raw request, and the one interaction step Handoff answers itself: a live Handoff
// session for the app logs the person in; without one, a page says where to start.
import "./runtime-warning.js"; // before oidc-provider: see the file
import { Type, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors } from "oidc-provider";
import type { Allowance } from "../http/allowance.js";
import { clientIp } from "../http/client-ip.js";
import { failurePage } from "../pages/failure.js";
import { sessionCookieName } from "../sessions/cookies.js";
import { amrOf } from "../sessions/service.js";
import { OIDC_MOUNT, type OidcDeps, type OidcService } from "./provider.js";

/** What the OpenID routes use. */
export interface OidcRouteDeps extends OidcDeps {
  anonymousWrites: Allowance;
}

/**
 * Hands the raw response to oidc-provider. A hijacked reply skips Fastify's onSend, so the
 * headers every answer has (request id, nosniff, referrer policy, framing, HSTS) are carried over
 * first. Not our CSP: oidc-provider's `form_post` page needs its own; not Cache-Control:
 * discovery and the JWKS may be cached.
 */
function hijack(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (name === "content-security-policy" || name === "cache-control" || value === undefined)
      continue;
    reply.raw.setHeader(name, value);
  }
  reply.hijack();
}

/** Answers 503 on a raw response that may have been started already; never a hung request. */
function unavailable(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  request.log.error({ err: error }, "oidc request failed");
  if (!reply.raw.headersSent) {
    reply.raw.writeHead(503, {
      "content-type": "application/json",
      "retry-after": "1",
      "cache-control": "no-store",
    });
  }
  if (!reply.raw.writableEnded)
    reply.raw.end(
      JSON.stringify({ error: "temporarily_unavailable", error_description: "try again" }),
    );
}

/** Where oidc-provider writes before it knows anyone: authorization requests, RP-initiated logout. */
const ANONYMOUS_WRITE = new RegExp(`^${OIDC_MOUNT}/(auth|session/end)(/|\\?|$)`);

/** oidc-provider's endpoints: the body stays unread for it, the URL is pinned to the base URL. */
export async function oidcProviderRoutes(
  fastify: FastifyInstance,
  services: OidcRouteDeps,
  oidc: OidcService,
): Promise<void> {
  const base = new URL(services.config.baseUrl);
  // HANDOFF_BASE_URL may carry a path (a proxy that strips it): oidc-provider sees it as part of
  // its mount, so the URLs it writes keep it.
  const basePath = base.pathname.replace(/\/+$/, "");
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
  const cookieName = sessionCookieName(services.config);
  const sessionCookie = (request: FastifyRequest) => request.cookies[cookieName];
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    // The endpoints that write a row (an interaction, a logout state) before anyone is known: a
    // client without a live Handoff session gets a few a minute (SECURITY row 48).
    if (
      ANONYMOUS_WRITE.test(request.url) &&
      !(await services.sessions.check(sessionCookie(request)))
    ) {
      const wait = await services.anonymousWrites.take(clientIp(request));
      if (wait !== null) {
        reply.header("retry-after", String(wait));
        return failurePage(reply, "rate_limited", null);
      }
    }
    hijack(reply);
    const raw = request.raw as import("node:http").IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? "/";
    raw.originalUrl = basePath + url;
    raw.url = url.slice(OIDC_MOUNT.length) || "/";
    // Every URL oidc-provider writes (discovery, redirects, cookies' Secure flag) follows the
    // configured base URL, never a Host header a client chose.
    raw.headers.host = base.host;
    raw.headers["x-forwarded-host"] = base.host;
    raw.headers["x-forwarded-proto"] = base.protocol.slice(0, -1);
    raw.headers["x-forwarded-for"] = request.ip;
    try {
      await oidc.handle(raw, reply.raw);
    } catch (error) {
      // oidc-provider answers its own errors; this is for what fails before it runs (the
      // database away while the provider is first built, say).
      unavailable(request, reply, error);
    }
  };
  fastify.all(`${OIDC_MOUNT}/*`, { schema: { hide: true }, config: { rawInput: true } }, forward);
}

export async function oidcInteractionRoutes(
  fastify: FastifyInstance,
  services: OidcRouteDeps,
  oidc: OidcService,
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = sessionCookieName(services.config);

  app.get(
    `${OIDC_MOUNT}/interaction/:uid`,
    {
      schema: {
        tags: ["oidc"],
        summary: "The OIDC login step: a live Handoff session for the app signs the person in",
        params: Type.Object({ uid: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const provider = await oidc.provider();
      let details: Awaited<ReturnType<typeof provider.interactionDetails>>;
      try {
        details = await provider.interactionDetails(request.raw, reply.raw);
      } catch (error) {
        if (!(error instanceof errors.SessionNotFound)) throw error;
        return failurePage(reply, "step_expired", null);
      }
      if (details.uid !== request.params.uid) return failurePage(reply, "step_expired", null);
      const clientId = String(details.params.client_id);
      /** Sends the app back an OAuth error (the app's redirect URI was checked by the provider). */
      const refuse = async (error: string, description: string) => {
        hijack(reply);
        try {
          await provider.interactionFinished(
            request.raw,
            reply.raw,
            { error, error_description: description },
            { mergeWithLastSubmission: false },
          );
        } catch (failure) {
          unavailable(request, reply, failure);
        }
      };
      // A client let go without PKCE must bind its code to the sign-in with a nonce instead.
      if (details.params.code_challenge === undefined && typeof details.params.nonce !== "string") {
        return refuse("invalid_request", "nonce is required when the client does not use PKCE");
      }
      const target = await services.apps.find(clientId);
      const session = await services.sessions.check(request.cookies[cookieName]);
      // The session opens this client: made for it, or for an app of the same sign-in group.
      if (!session || !target || !(await services.sessions.opens(session, target))) {
        return failurePage(reply, "no_session", target);
      }

      // There is no login page to show again: a request to re-authenticate (`prompt=login`), or
      // for a sign-in younger than the login link's, goes back to the app as `login_required`.
      const maxAge = Number(details.params.max_age);
      const tooOld =
        Number.isFinite(maxAge) &&
        Math.floor(services.clock.now() / 1000) - Math.floor(session.createdAt / 1000) > maxAge;
      if (details.prompt.reasons.includes("login_prompt") || tooOld) {
        return refuse(
          "login_required",
          "the person signed in through a partner's login link; open the app from the partner's site again",
        );
      }

      // First-party apps: no consent screen. The grant holds what the app asked for and is tied
      // to this Handoff session (claims and lifetime come from it).
      const grant = new provider.Grant({ accountId: session.userId, clientId });
      const scope = typeof details.params.scope === "string" ? details.params.scope : "openid";
      grant.addOIDCScope(scope);
      const missing = details.prompt.details.missingOIDCClaims;
      if (Array.isArray(missing)) grant.addOIDCClaims(missing as string[]);
      const grantId = await grant.save();
      await services.database.write((trx) =>
        services.oidcStore.linkGrant(trx, {
          grantId,
          sessionId: session.id,
          clientId,
          expiresAt: session.absoluteAt,
        }),
      );
      hijack(reply);
      try {
        await provider.interactionFinished(
          request.raw,
          reply.raw,
          {
            login: {
              accountId: session.userId,
              amr: amrOf(session),
              ts: Math.floor(session.createdAt / 1000),
            },
            consent: { grantId },
          },
          { mergeWithLastSubmission: false },
        );
      } catch (error) {
        unavailable(request, reply, error);
      }
    },
  );
}
