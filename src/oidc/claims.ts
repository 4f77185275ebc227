// The claims of a user as a Handoff session knows them, and the account behind an OIDC token.
import type { Account, AccountClaims, Configuration, FindAccount } from "oidc-provider";
import type { LiveSession, SessionService } from "../sessions/service.js";
import type { OidcStore } from "./store.js";

/** What the claims use. */
export interface ClaimsDeps {
  oidcStore: OidcStore;
  sessions: SessionService;
}

/** E.164 from the stored number and country code (`+` and digits only). */
function e164(phone: LiveSession["phone"]): string | undefined {
  if (!phone) return undefined;
  const digits = `${phone.country_code}${phone.number}`.replace(/\D/g, "");
  return digits ? `+${digits}` : undefined;
}

/**
 * The claims of a user as a Handoff session knows them (never the partner's auth token). A claim
 * the user does not have is left out, never null (OIDC Core 5.3.2; mod_auth_openidc warns on null).
 */
export function claimsOf(
  services: Pick<ClaimsDeps, "sessions">,
  session: LiveSession,
): AccountClaims {
  const partnerData = services.sessions.partnerData(session, false);
  const claims: AccountClaims = {
    sub: session.userId,
    partner: session.partnerId,
    fields: session.fields ?? {},
    partner_data: partnerData ?? {},
  };
  if (session.accountId !== session.partnerId) claims.sub_account = session.accountId;
  if (session.email) claims.email = session.email;
  if (session.otp?.alternateEmail) claims.alternate_email = session.otp.alternateEmail;
  const phone = e164(session.phone);
  if (phone) claims.phone_number = phone;
  if (session.name) claims.name = session.name;
  return claims;
}

/** The account behind a token: its claims while the Handoff session of its grant is live. */
export function accountFinder(services: ClaimsDeps): FindAccount {
  return async (_ctx, sub, token) => {
    // At the authorization endpoint (no token yet) the login step has already checked the
    // Handoff session; later (code, refresh, userinfo) the grant's session must still be live.
    const grantId = token && "grantId" in token ? token.grantId : undefined;
    if (!grantId) return { accountId: sub, claims: () => ({ sub }) };
    const sessionId = await services.oidcStore.grantSession(grantId);
    const session = sessionId ? await services.sessions.live(sessionId) : null;
    if (!session || session.userId !== sub) return undefined;
    const account: Account = { accountId: sub, claims: () => claimsOf(services, session) };
    return account;
  };
}

/** Which claims each scope grants; the standalone ones are always in the ID token when known. */
export function scopeClaims(): NonNullable<Configuration["claims"]> {
  return {
    // Standalone claims (always in the ID token when known).
    acr: null,
    amr: null,
    auth_time: null,
    sid: null,
    iss: null,
    openid: ["sub", "amr", "auth_time", "partner", "sub_account", "fields", "partner_data"],
    email: ["email", "alternate_email"],
    phone: ["phone_number"],
    profile: ["name"],
  };
}
