// Signing a person in to a SAML app: the Response for their Handoff session, posted by their
// browser to the app's ACS. Used by SP-initiated sign-on (src/saml/routes.ts) and by a login
// link's redemption for a SAML app (IdP-initiated, src/tickets/browser.ts).
import type { FastifyReply } from "fastify";
import type { SamlSettings } from "../apps/saml-settings.js";
import type { App } from "../apps/service.js";
import type { LiveSession, SessionService } from "../sessions/service.js";
import { amrOf } from "../sessions/service.js";
import type { FrontChannelLogout } from "./front-channel.js";
import type { SamlIdp } from "./idp.js";
import { sessionIndex } from "./idp.js";
import { samlPostPage } from "./post-page.js";
import type { SamlSubject } from "./template.js";

/** What a SAML app learns about the person: the session's user and the ticket's settings. */
/** What a SAML sign-in uses. */
export interface SamlSignInDeps {
  saml: SamlIdp;
  sessions: SessionService;
  /** Remembers which apps the session signed in to, for front-channel single logout. */
  samlLogout: Pick<FrontChannelLogout, "remember">;
}

export function subjectOf(
  services: Pick<SamlSignInDeps, "sessions">,
  session: LiveSession,
): SamlSubject {
  const partnerData = services.sessions.partnerData(session, false);
  const phone = session.phone
    ? `+${`${session.phone.country_code}${session.phone.number}`.replace(/\D/g, "")}`
    : null;
  return {
    userId: session.userId,
    email: session.email,
    authnInstant: session.createdAt,
    sessionIndex: sessionIndex(session.id),
    sessionNotOnOrAfter: session.absoluteAt,
    attributes: {
      email: session.email,
      name: session.name,
      phone_number: phone,
      partner: session.partnerId,
      sub_account: session.accountId === session.partnerId ? null : session.accountId,
      fields: session.fields ? JSON.stringify(session.fields) : null,
      partner_data: partnerData ? JSON.stringify(partnerData) : null,
      amr: amrOf(session),
    },
  };
}

/** A signed Response for a session that opens a SAML app, as the page that posts it. */
export async function samlSignIn(
  services: SamlSignInDeps,
  reply: FastifyReply,
  app: App & { saml: SamlSettings },
  session: LiveSession,
  options: { inResponseTo?: string; acsUrl?: string; relayState?: string },
): Promise<FastifyReply> {
  const form = await services.saml.response(app, subjectOf(services, session), options);
  await services.samlLogout.remember(app, session);
  return samlPostPage(reply, form, app.name);
}
