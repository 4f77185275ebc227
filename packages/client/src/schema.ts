// Generated from Handoff's OpenAPI document by openapi-typescript: do not edit.
// Regenerate with `npm run client:generate`.

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify Handoff's tokens */
        get: operations["getWellKnownJwksJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/authenticate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Banckle's one-call SSO: email, password (ignored), ssokey, product → token */
        get: operations["getApiAuthenticate"];
        put?: never;
        /** Banckle's one-call SSO: email, password (ignored), ssokey, product → token */
        post: operations["postApiAuthenticate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v0/partner/enKashCard/sso-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enkash's SSO token for a card holder, in the vendor's envelope */
        post: operations["postApiV0PartnerEnKashCardSsoToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chef/v1/oauth/redirect/stores/{ssoToken}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Xoxoday's redirection URL: the page in front of the login link */
        get: operations["getChefV1OauthRedirectStoresSsoToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chef/v1/oauth/sso/stores/company": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Xoxoday's SSO redirection API: mint a login link for the user with this email */
        post: operations["postChefV1OauthSsoStoresCompany"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/chef/v1/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Validate an access token, as the vendor's token check answers */
        get: operations["getChefV1OauthToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jsp/developer_login.jsp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** BlueSnap's login link: the page in front of the login token */
        get: operations["getJspDeveloperLoginJsp"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/login/{ticket}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The page in front of a login link */
        get: operations["getLoginTicket"];
        put?: never;
        /** Use a login link: sets the session cookie and redirects (303) to the app */
        post: operations["postLoginTicket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/login/{ticket}/otp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the one-time code a login link asks for (then back to the link's page) */
        post: operations["postLoginTicketOtp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the session and clear the cookie */
        post: operations["postLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/logout/continue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The next step of a browser logout (the front-channel page posts here) */
        post: operations["postLogoutContinue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enkash's token endpoint: password grant (partner users) and refresh_token */
        post: operations["postOauthToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/interaction/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The OIDC login step: a live Handoff session for the app signs the person in */
        get: operations["getOidcInteractionUid"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ready for traffic: not draining, and the database answers */
        get: operations["getReadyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/saml/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The SAML identity provider's metadata */
        get: operations["getSamlMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/saml/slo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Single logout: a LogoutRequest, or a LogoutResponse, by HTTP-Redirect */
        get: operations["getSamlSlo"];
        put?: never;
        /** Single logout: a LogoutRequest, or a LogoutResponse, by HTTP-POST */
        post: operations["postSamlSlo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/saml/sso": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Single sign-on: an AuthnRequest by HTTP-Redirect */
        get: operations["getSamlSso"];
        put?: never;
        /** Single sign-on: an AuthnRequest by HTTP-POST */
        post: operations["postSamlSso"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/services/2/cp/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a user (owned by the partner, or by onbehalfofmid) */
        post: operations["postServices2CpUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/services/2/cp/user/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a user */
        get: operations["getServices2CpUserUserId"];
        /** Change a user */
        put: operations["putServices2CpUserUserId"];
        post?: never;
        /** Delete a user, with its outstanding login tokens and sessions */
        delete: operations["deleteServices2CpUserUserId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/services/2/generateSSOLoginToken/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** BlueSnap's login token and link for the user, bound to the requesting IP */
        post: operations["postServices2GenerateSSOLoginTokenUserId"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sso/{ssoToken}/{view}/{partner}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Enkash's login link: employee_rewards or reward_account (admin) view */
        get: operations["getSsoSsoTokenViewPartner"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a partner token and an API token for a 24-hour access token */
        post: operations["postV1AuthToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/autho/apitoken/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sparrow's token exchange, in its exact shape
         * @description Also served as `/v1/autho/apitoken/login/`, the path Sparrow's page gives.
         */
        post: operations["postV1AuthoApitokenLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/callbacks/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Call the user's partner back (balance, debit, refund, verify) and relay its answer */
        post: operations["postV1CallbacksKind"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform's apps (operators) */
        get: operations["getV1ManageApps"];
        put?: never;
        /** Register an app (operators) */
        post: operations["postV1ManageApps"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/apps/{appId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One app (operators) */
        get: operations["getV1ManageAppsAppId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change an app's settings (operators) */
        patch: operations["patchV1ManageAppsAppId"];
        trace?: never;
    };
    "/v1/manage/apps/{appId}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new app secret (the old one stops at once). Shown once. */
        post: operations["postV1ManageAppsAppIdSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first (operators) */
        get: operations["getV1ManageAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The live signing keys (operators; never a private part) */
        get: operations["getV1ManageKeys"];
        put?: never;
        /** Rotate the signing keys (operators) */
        post: operations["postV1ManageKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/keys/{kid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a signing key at once (operators; an emergency) */
        delete: operations["deleteV1ManageKeysKid"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is signed in, and the CSRF token changes must carry */
        get: operations["getV1ManageMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/me/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start enrolling a TOTP second factor: the secret and its otpauth URI, shown once */
        post: operations["postV1ManageMeTotp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/me/totp/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Confirm the enrolment with a first code: ten recovery codes, shown once */
        post: operations["postV1ManageMeTotpConfirm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/me/totp/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn the second factor off (needs a current code) */
        post: operations["postV1ManageMeTotpDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Partners this viewer may see (operators: all; partner users: theirs) */
        get: operations["getV1ManagePartners"];
        put?: never;
        /** Create a partner (operators); its partner token is shown once */
        post: operations["postV1ManagePartners"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One partner, with its sub-accounts */
        get: operations["getV1ManagePartnersPartnerId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Suspend or activate a partner, or set its contract expiry (operators) */
        patch: operations["patchV1ManagePartnersPartnerId"];
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner's audit entries: redemptions with their outcome, and changes */
        get: operations["getV1ManagePartnersPartnerIdActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/api-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner's API tokens (never their secrets) */
        get: operations["getV1ManagePartnersPartnerIdApiTokens"];
        put?: never;
        /** Create an API token, with a name and an optional expiry. Shown once. */
        post: operations["postV1ManagePartnersPartnerIdApiTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/api-tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API token: exchanges with it fail at once */
        delete: operations["deleteV1ManagePartnersPartnerIdApiTokensTokenId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/callbacks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner's call-back endpoints (never their secrets) */
        get: operations["getV1ManagePartnersPartnerIdCallbacks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/callbacks/{kind}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Register or change the endpoint for a call-back kind; a new one's signing secret is shown once */
        put: operations["putV1ManagePartnersPartnerIdCallbacksKind"];
        post?: never;
        /** Remove the endpoint for a call-back kind */
        delete: operations["deleteV1ManagePartnersPartnerIdCallbacksKind"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/partner-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the partner token; the old one works for the overlap. Shown once. */
        post: operations["postV1ManagePartnersPartnerIdPartnerToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/partner-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner's users (the people who sign in to the console, and to the Enkash-shaped password grant) */
        get: operations["getV1ManagePartnersPartnerIdPartnerUsers"];
        put?: never;
        /** Create a partner user (an admin, or a viewer who only reads) */
        post: operations["postV1ManagePartnersPartnerIdPartnerUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/partner-users/{userId}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a partner user's password (ends their console sessions and refresh tokens) */
        post: operations["postV1ManagePartnersPartnerIdPartnerUsersUserIdPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/partner-users/{userId}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unlock a partner user after too many wrong passwords */
        post: operations["postV1ManagePartnersPartnerIdPartnerUsersUserIdUnlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/sso-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new SSO key (earlier keys stop at once). Shown once. */
        post: operations["postV1ManagePartnersPartnerIdSsoKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/sub-accounts/{subAccountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Let a partner act for a sub-account (operators) */
        put: operations["putV1ManagePartnersPartnerIdSubAccountsSubAccountId"];
        post?: never;
        /** Take that right away (operators) */
        delete: operations["deleteV1ManagePartnersPartnerIdSubAccountsSubAccountId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner's newest login links, with what became of each and why */
        get: operations["getV1ManagePartnersPartnerIdTickets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/tickets/{ticketId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One login link: what became of it and why */
        get: operations["getV1ManagePartnersPartnerIdTicketsTicketId"];
        put?: never;
        post?: never;
        /** Revoke an unused login link (a used or dead one is left as it is) */
        delete: operations["deleteV1ManagePartnersPartnerIdTicketsTicketId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/tickets/{ticketId}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What happened to one login link, oldest first: minted, page opened, codes, redeemed or refused and why, its session's end */
        get: operations["getV1ManagePartnersPartnerIdTicketsTicketIdTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of the partner's users (usr_…): who, how many live sessions and unused login links, the newest links */
        get: operations["getV1ManagePartnersPartnerIdUsersUserId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/users/{userId}/sessions/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every live session of one of the partner's users */
        post: operations["postV1ManagePartnersPartnerIdUsersUserIdSessionsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/users/{userId}/tickets/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke every unused login link of one of the partner's users */
        post: operations["postV1ManagePartnersPartnerIdUsersUserIdTicketsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest webhook deliveries with their attempts (the partner's) */
        get: operations["getV1ManagePartnersPartnerIdWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/webhook-deliveries/{deliveryId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver an event again (the partner's) */
        post: operations["postV1ManagePartnersPartnerIdWebhookDeliveriesDeliveryIdReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook endpoints: the partner's */
        get: operations["getV1ManagePartnersPartnerIdWebhooks"];
        put?: never;
        /** Subscribe an endpoint to events (the partner's); its signing secret is shown once */
        post: operations["postV1ManagePartnersPartnerIdWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/partners/{partnerId}/webhooks/{endpointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an endpoint (the partner's) and its pending deliveries */
        delete: operations["deleteV1ManagePartnersPartnerIdWebhooksEndpointId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in to the console (an operator by email; a partner user with partner_id) */
        post: operations["postV1ManageSignIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/sign-in/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give the TOTP code (or a recovery code) a sign-in owes; five wrong codes end it */
        post: operations["postV1ManageSignInTotp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End the console session */
        post: operations["postV1ManageSignOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest webhook deliveries with their attempts (the operators' own (every partner's events)) */
        get: operations["getV1ManageWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/webhook-deliveries/{deliveryId}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver an event again (the operators' own (every partner's events)) */
        post: operations["postV1ManageWebhookDeliveriesDeliveryIdReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook endpoints: the operators' own (every partner's events) */
        get: operations["getV1ManageWebhooks"];
        put?: never;
        /** Subscribe an endpoint to events (the operators' own (every partner's events)); its signing secret is shown once */
        post: operations["postV1ManageWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/manage/webhooks/{endpointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an endpoint (the operators' own (every partner's events)) and its pending deliveries */
        delete: operations["deleteV1ManageWebhooksEndpointId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/partner": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The partner the access token speaks for */
        get: operations["getV1Partner"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/session/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Forward-auth: 200 with X-Handoff-* headers for a live session cookie; 401 without one, 403 when it is another app's */
        get: operations["getV1SessionVerify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Session introspection for an app's backend (RFC 7662 style) */
        post: operations["postV1SessionsIntrospect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sso/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mint a single-use login link for one user and one app */
        post: operations["postV1SsoTickets"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sso/tickets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What became of a ticket */
        get: operations["getV1SsoTicketsId"];
        put?: never;
        post?: never;
        /** Revoke a ticket that has not been used */
        delete: operations["deleteV1SsoTicketsId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}/sessions/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End every live session of a user */
        post: operations["postV1UsersIdSessionsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}/tickets/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke every outstanding ticket of a user */
        post: operations["postV1UsersIdTicketsRevoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getWellKnownJwksJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getApiAuthenticate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postApiAuthenticate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postApiV0PartnerEnKashCardSsoToken: {
        parameters: {
            query?: never;
            header?: {
                partnerid?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cardAccountId: string;
                    companyId: string;
                    enkashCardId: string;
                };
            };
        };
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getChefV1OauthRedirectStoresSsoToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ssoToken: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postChefV1OauthSsoStoresCompany: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    tpd?: {
                        auth_token?: string;
                        email?: {
                            default_value?: string;
                            editable?: boolean;
                            hidden?: boolean;
                            support_alternate?: boolean;
                        };
                        otp?: "none" | "primary_email" | "primary_phone" | "alternate_email";
                        phone?: {
                            default_value?: string;
                            editable?: boolean;
                            hidden?: boolean;
                            phone_code?: string;
                        };
                        unique_id?: string;
                    } & {
                        [key: string]: unknown;
                    };
                    user_input: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            ssoToken: string;
                        };
                    };
                };
            };
        };
    };
    getChefV1OauthToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        access_token: string;
                        access_token_expiry: number;
                        expires_in: number;
                        /** @enum {string} */
                        token_type: "bearer";
                    };
                };
            };
        };
    };
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getJspDeveloperLoginJsp: {
        parameters: {
            query: {
                ref: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getLoginTicket: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postLoginTicket: {
        parameters: {
            query?: {
                view?: string;
            };
            header?: never;
            path: {
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postLoginTicketOtp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                ticket: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postLogoutContinue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postOauthToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getOidcInteractionUid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                uid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getReadyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getSamlMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getSamlSlo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postSamlSlo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getSamlSso: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postSamlSso: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postServices2CpUser: {
        parameters: {
            query?: {
                onbehalfofmid?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    firstName: string;
                    lastName: string;
                    username: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string | null;
                        firstName: string | null;
                        lastName: string | null;
                        userId: string;
                        username: string;
                    };
                };
            };
        };
    };
    getServices2CpUserUserId: {
        parameters: {
            query?: {
                onbehalfofmid?: string;
            };
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string | null;
                        firstName: string | null;
                        lastName: string | null;
                        userId: string;
                        username: string;
                    };
                };
            };
        };
    };
    putServices2CpUserUserId: {
        parameters: {
            query?: {
                onbehalfofmid?: string;
            };
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email?: string;
                    firstName?: string;
                    lastName?: string;
                    username?: string;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        email: string | null;
                        firstName: string | null;
                        lastName: string | null;
                        userId: string;
                        username: string;
                    };
                };
            };
        };
    };
    deleteServices2CpUserUserId: {
        parameters: {
            query?: {
                onbehalfofmid?: string;
            };
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postServices2GenerateSSOLoginTokenUserId: {
        parameters: {
            query?: {
                onbehalfofmid?: string;
            };
            header?: never;
            path: {
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    requestingUserIp: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        loginLink: string;
                        loginToken: string;
                    };
                };
            };
        };
    };
    getSsoSsoTokenViewPartner: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partner: string;
                ssoToken: string;
                view: "employee_rewards" | "reward_account";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1AuthToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    api_token?: string;
                    partner_token?: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        access_token: string;
                        /** Format: date-time */
                        expires_at: string;
                        expires_in: number;
                        /** @enum {string} */
                        token_type: "Bearer";
                    };
                };
            };
        };
    };
    postV1AuthoApitokenLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1CallbacksKind: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string;
            };
            path: {
                kind: "balance" | "debit" | "refund" | "verify";
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    client_id?: string;
                    client_secret?: string;
                    /** @description The JSON body for the partner */
                    data?: {
                        [key: string]: unknown;
                    };
                    /** @description The user's Handoff session (hss_…) */
                    session?: string;
                    /** @description Or the user's Handoff id (usr_…) */
                    user_id?: string;
                };
            };
        };
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManageApps: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        apps: {
                            failure_url: string | null;
                            has_secret: boolean;
                            id: string;
                            ip_binding: string;
                            name: string;
                            oidc_backchannel_logout_uri: string | null;
                            oidc_frontchannel_logout_uri: string | null;
                            oidc_pkce_required: boolean;
                            oidc_post_logout_redirect_uris: string[];
                            oidc_redirect_uris: string[];
                            oidc_refresh_tokens: boolean;
                            products: string[];
                            return_paths: string[];
                            saml: {
                                acs_urls: string[];
                                certificate: string | null;
                                encryption_certificate: string | null;
                                entity_id: string;
                                name_id_format: string;
                                slo_binding: "redirect" | "post";
                                slo_soap_url: string | null;
                                slo_url: string | null;
                            } | null;
                            sees_auth_token: boolean;
                            session_absolute: number;
                            session_idle: number;
                            sign_in_group: string | null;
                            ticket_ttl: number;
                            ticket_ttl_max: number;
                            url: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManageApps: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    url: string;
                } & {
                    failure_url?: string | null;
                    ip_binding?: "exact" | "prefix";
                    oidc_backchannel_logout_uri?: string | null;
                    oidc_frontchannel_logout_uri?: string | null;
                    oidc_pkce_required?: boolean;
                    oidc_post_logout_redirect_uris?: string[];
                    oidc_redirect_uris?: string[];
                    oidc_refresh_tokens?: boolean;
                    products?: string[];
                    return_paths?: string[];
                    saml?: {
                        acs_urls: string[];
                        certificate?: string | null;
                        encryption_certificate?: string | null;
                        entity_id: string;
                        name_id_format?: "persistent" | "email";
                        slo_binding?: "redirect" | "post";
                        slo_soap_url?: string | null;
                        slo_url?: string | null;
                    } | null;
                    saml_metadata?: string;
                    sees_auth_token?: boolean;
                    session_absolute?: number;
                    session_idle?: number;
                    sign_in_group?: string | null;
                    ticket_ttl?: number;
                    ticket_ttl_max?: number;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        failure_url: string | null;
                        has_secret: boolean;
                        id: string;
                        ip_binding: string;
                        name: string;
                        oidc_backchannel_logout_uri: string | null;
                        oidc_frontchannel_logout_uri: string | null;
                        oidc_pkce_required: boolean;
                        oidc_post_logout_redirect_uris: string[];
                        oidc_redirect_uris: string[];
                        oidc_refresh_tokens: boolean;
                        products: string[];
                        return_paths: string[];
                        saml: {
                            acs_urls: string[];
                            certificate: string | null;
                            encryption_certificate: string | null;
                            entity_id: string;
                            name_id_format: string;
                            slo_binding: "redirect" | "post";
                            slo_soap_url: string | null;
                            slo_url: string | null;
                        } | null;
                        sees_auth_token: boolean;
                        session_absolute: number;
                        session_idle: number;
                        sign_in_group: string | null;
                        ticket_ttl: number;
                        ticket_ttl_max: number;
                        url: string;
                    };
                };
            };
        };
    };
    getV1ManageAppsAppId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        failure_url: string | null;
                        has_secret: boolean;
                        id: string;
                        ip_binding: string;
                        name: string;
                        oidc_backchannel_logout_uri: string | null;
                        oidc_frontchannel_logout_uri: string | null;
                        oidc_pkce_required: boolean;
                        oidc_post_logout_redirect_uris: string[];
                        oidc_redirect_uris: string[];
                        oidc_refresh_tokens: boolean;
                        products: string[];
                        return_paths: string[];
                        saml: {
                            acs_urls: string[];
                            certificate: string | null;
                            encryption_certificate: string | null;
                            entity_id: string;
                            name_id_format: string;
                            slo_binding: "redirect" | "post";
                            slo_soap_url: string | null;
                            slo_url: string | null;
                        } | null;
                        sees_auth_token: boolean;
                        session_absolute: number;
                        session_idle: number;
                        sign_in_group: string | null;
                        ticket_ttl: number;
                        ticket_ttl_max: number;
                        url: string;
                    };
                };
            };
        };
    };
    patchV1ManageAppsAppId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    failure_url?: string | null;
                    ip_binding?: "exact" | "prefix";
                    name?: string;
                    oidc_backchannel_logout_uri?: string | null;
                    oidc_frontchannel_logout_uri?: string | null;
                    oidc_pkce_required?: boolean;
                    oidc_post_logout_redirect_uris?: string[];
                    oidc_redirect_uris?: string[];
                    oidc_refresh_tokens?: boolean;
                    products?: string[];
                    return_paths?: string[];
                    saml?: {
                        acs_urls: string[];
                        certificate?: string | null;
                        encryption_certificate?: string | null;
                        entity_id: string;
                        name_id_format?: "persistent" | "email";
                        slo_binding?: "redirect" | "post";
                        slo_soap_url?: string | null;
                        slo_url?: string | null;
                    } | null;
                    saml_metadata?: string;
                    sees_auth_token?: boolean;
                    session_absolute?: number;
                    session_idle?: number;
                    sign_in_group?: string | null;
                    ticket_ttl?: number;
                    ticket_ttl_max?: number;
                    url?: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        failure_url: string | null;
                        has_secret: boolean;
                        id: string;
                        ip_binding: string;
                        name: string;
                        oidc_backchannel_logout_uri: string | null;
                        oidc_frontchannel_logout_uri: string | null;
                        oidc_pkce_required: boolean;
                        oidc_post_logout_redirect_uris: string[];
                        oidc_redirect_uris: string[];
                        oidc_refresh_tokens: boolean;
                        products: string[];
                        return_paths: string[];
                        saml: {
                            acs_urls: string[];
                            certificate: string | null;
                            encryption_certificate: string | null;
                            entity_id: string;
                            name_id_format: string;
                            slo_binding: "redirect" | "post";
                            slo_soap_url: string | null;
                            slo_url: string | null;
                        } | null;
                        sees_auth_token: boolean;
                        session_absolute: number;
                        session_idle: number;
                        sign_in_group: string | null;
                        ticket_ttl: number;
                        ticket_ttl_max: number;
                        url: string;
                    };
                };
            };
        };
    };
    postV1ManageAppsAppIdSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        app_secret: string;
                    };
                };
            };
        };
    };
    getV1ManageAudit: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                before?: string;
                limit?: number;
                partner_id?: string;
                since?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entries: {
                            action: string;
                            actor: string;
                            /** Format: date-time */
                            at: string;
                            detail: {
                                [key: string]: unknown;
                            } | null;
                            id: string;
                            ip: string | null;
                            outcome: string;
                            partner_id: string | null;
                            subject: string | null;
                        }[];
                    };
                };
            };
        };
    };
    getV1ManageKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            alg: string;
                            /** Format: date-time */
                            created_at: string;
                            kid: string;
                            retire_at: string | null;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManageKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        kid: string;
                    };
                };
            };
        };
    };
    deleteV1ManageKeysKid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManageMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        csrf_token: string;
                        pending: ("totp" | "enrol") | null;
                        viewer: {
                            id: string;
                            kind: "operator" | "partner_user";
                            name: string;
                            partner_id: string | null;
                            role: "operator" | "admin" | "viewer";
                        };
                    };
                };
            };
        };
    };
    postV1ManageMeTotp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        otpauth_uri: string;
                        secret: string;
                    };
                };
            };
        };
    };
    postV1ManageMeTotpConfirm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recovery_codes: string[];
                    };
                };
            };
        };
    };
    postV1ManageMeTotpDisable: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManagePartners: {
        parameters: {
            query?: {
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        partners: {
                            contract_expires_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            name: string;
                            status: string;
                            sub_accounts?: string[];
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartners: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    contract_expires_at?: string | null;
                    name: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        partner: {
                            contract_expires_at: string | null;
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            name: string;
                            status: string;
                            sub_accounts?: string[];
                        };
                        partner_token: string;
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        contract_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        id: string;
                        name: string;
                        status: string;
                        sub_accounts?: string[];
                    };
                };
            };
        };
    };
    patchV1ManagePartnersPartnerId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    contract_expires_at?: string | null;
                    status?: "active" | "suspended";
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        contract_expires_at: string | null;
                        /** Format: date-time */
                        created_at: string;
                        id: string;
                        name: string;
                        status: string;
                        sub_accounts?: string[];
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdActivity: {
        parameters: {
            query?: {
                action?: string;
                before?: string;
                limit?: number;
            };
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        entries: {
                            action: string;
                            actor: string;
                            /** Format: date-time */
                            at: string;
                            detail: {
                                [key: string]: unknown;
                            } | null;
                            id: string;
                            ip: string | null;
                            outcome: string;
                            partner_id: string | null;
                            subject: string | null;
                        }[];
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdApiTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        api_tokens: {
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            id: string;
                            last_used_at: string | null;
                            name: string;
                            revoked_at: string | null;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdApiTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    expires_at?: string | null;
                    name: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        api_token: {
                            /** Format: date-time */
                            created_at: string;
                            expires_at: string | null;
                            id: string;
                            last_used_at: string | null;
                            name: string;
                            revoked_at: string | null;
                        };
                        token: string;
                    };
                };
            };
        };
    };
    deleteV1ManagePartnersPartnerIdApiTokensTokenId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManagePartnersPartnerIdCallbacks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        callbacks: {
                            created_at: string;
                            kind: string;
                            timeout_ms: number;
                            updated_at: string;
                            url: string;
                        }[];
                    };
                };
            };
        };
    };
    putV1ManagePartnersPartnerIdCallbacksKind: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kind: "balance" | "debit" | "refund" | "verify";
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    timeout_ms?: number;
                    url: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        callback: {
                            created_at: string;
                            kind: string;
                            timeout_ms: number;
                            updated_at: string;
                            url: string;
                        };
                        secret: string | null;
                    };
                };
            };
        };
    };
    deleteV1ManagePartnersPartnerIdCallbacksKind: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                kind: "balance" | "debit" | "refund" | "verify";
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1ManagePartnersPartnerIdPartnerToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    overlap_seconds?: number;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        partner_token: string;
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdPartnerUsers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: {
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            locked_until: string | null;
                            login: string;
                            role: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdPartnerUsers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    password: string;
                    role?: "admin" | "viewer";
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        login: string;
                        role: string;
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdPartnerUsersUserIdPassword: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1ManagePartnersPartnerIdPartnerUsersUserIdUnlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1ManagePartnersPartnerIdSsoKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sso_key: string;
                    };
                };
            };
        };
    };
    putV1ManagePartnersPartnerIdSubAccountsSubAccountId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                subAccountId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    deleteV1ManagePartnersPartnerIdSubAccountsSubAccountId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                subAccountId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManagePartnersPartnerIdTickets: {
        parameters: {
            query?: {
                before?: string;
                limit?: number;
            };
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tickets: {
                            account_id: string;
                            app: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            expires_at: string;
                            id: string;
                            last_failure: {
                                /** Format: date-time */
                                at: string;
                                reason: string;
                            } | null;
                            reason: string | null;
                            redeemed_at: string | null;
                            rejected_at: string | null;
                            revoked_at: string | null;
                            status: string;
                            user_id: string;
                        }[];
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdTicketsTicketId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                ticketId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account_id: string;
                        app: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        expires_at: string;
                        id: string;
                        last_failure: {
                            /** Format: date-time */
                            at: string;
                            reason: string;
                        } | null;
                        reason: string | null;
                        redeemed_at: string | null;
                        rejected_at: string | null;
                        revoked_at: string | null;
                        status: string;
                        user_id: string;
                    };
                };
            };
        };
    };
    deleteV1ManagePartnersPartnerIdTicketsTicketId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                ticketId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account_id: string;
                        app: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        expires_at: string;
                        id: string;
                        last_failure: {
                            /** Format: date-time */
                            at: string;
                            reason: string;
                        } | null;
                        reason: string | null;
                        redeemed_at: string | null;
                        rejected_at: string | null;
                        revoked_at: string | null;
                        status: string;
                        user_id: string;
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdTicketsTicketIdTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                ticketId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Oldest first */
                        events: {
                            actor: string;
                            /** Format: date-time */
                            at: string;
                            detail: {
                                [key: string]: unknown;
                            } | null;
                            ip: string | null;
                            /** @description "ok", or a reason code */
                            outcome: string;
                            step: "minted" | "page_opened" | "otp_sent" | "otp_wrong" | "otp_entered" | "redeemed" | "refused" | "revoked" | "expired" | "session_ended";
                        }[];
                        session: {
                            /** Format: date-time */
                            created_at: string;
                            end_reason: string | null;
                            ended_at: string | null;
                            /** Format: date-time */
                            expires_at: string;
                            id: string;
                            otp_verified_at: string | null;
                        } | null;
                        ticket: {
                            account_id: string;
                            app: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            expires_at: string;
                            id: string;
                            last_failure: {
                                /** Format: date-time */
                                at: string;
                                reason: string;
                            } | null;
                            reason: string | null;
                            redeemed_at: string | null;
                            rejected_at: string | null;
                            revoked_at: string | null;
                            status: string;
                            user_id: string;
                        };
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdUsersUserId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        email: string | null;
                        /** @description The partner's own id for the user */
                        external_id: string;
                        id: string;
                        /** @description Sessions neither ended nor past their limit */
                        live_sessions: number;
                        /** @description Unused login links not yet expired */
                        live_tickets: number;
                        name: string | null;
                        /** @description The account the user belongs to */
                        partner_id: string;
                        phone: {
                            country_code: string;
                            number: string;
                        } | null;
                        /** @description The newest login links this partner minted for the user (at most 20) */
                        tickets: {
                            account_id: string;
                            app: string;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            expires_at: string;
                            id: string;
                            last_failure: {
                                /** Format: date-time */
                                at: string;
                                reason: string;
                            } | null;
                            reason: string | null;
                            redeemed_at: string | null;
                            rejected_at: string | null;
                            revoked_at: string | null;
                            status: string;
                            user_id: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdUsersUserIdSessionsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count: number;
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdUsersUserIdTicketsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count: number;
                    };
                };
            };
        };
    };
    getV1ManagePartnersPartnerIdWebhookDeliveries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: {
                            attempts: number;
                            created_at: string | null;
                            endpoint_id: string;
                            event_id: string;
                            finished_at: string | null;
                            id: string;
                            last_error: string | null;
                            last_status: number | null;
                            next_attempt_at: string | null;
                            partner_id: string | null;
                            state: string;
                            type: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdWebhookDeliveriesDeliveryIdReplay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: string;
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManagePartnersPartnerIdWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        endpoints: {
                            created_at: string;
                            events: string[];
                            id: string;
                            partner_id: string | null;
                            url: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManagePartnersPartnerIdWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: ("user.created" | "ticket.redeemed" | "ticket.rejected" | "session.ended" | "api_token.created" | "api_token.revoked" | "partner_token.rotated")[];
                    url: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        endpoint: {
                            created_at: string;
                            events: string[];
                            id: string;
                            partner_id: string | null;
                            url: string;
                        };
                        secret: string;
                    };
                };
            };
        };
    };
    deleteV1ManagePartnersPartnerIdWebhooksEndpointId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
                partnerId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1ManageSignIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    partner_id?: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        csrf_token: string;
                        pending: ("totp" | "enrol") | null;
                        viewer: {
                            id: string;
                            kind: "operator" | "partner_user";
                            name: string;
                            partner_id: string | null;
                            role: "operator" | "admin" | "viewer";
                        };
                    };
                };
            };
        };
    };
    postV1ManageSignInTotp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        csrf_token: string;
                        pending: ("totp" | "enrol") | null;
                        viewer: {
                            id: string;
                            kind: "operator" | "partner_user";
                            name: string;
                            partner_id: string | null;
                            role: "operator" | "admin" | "viewer";
                        };
                    };
                };
            };
        };
    };
    postV1ManageSignOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManageWebhookDeliveries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: {
                            attempts: number;
                            created_at: string | null;
                            endpoint_id: string;
                            event_id: string;
                            finished_at: string | null;
                            id: string;
                            last_error: string | null;
                            last_status: number | null;
                            next_attempt_at: string | null;
                            partner_id: string | null;
                            state: string;
                            type: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManageWebhookDeliveriesDeliveryIdReplay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1ManageWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        endpoints: {
                            created_at: string;
                            events: string[];
                            id: string;
                            partner_id: string | null;
                            url: string;
                        }[];
                    };
                };
            };
        };
    };
    postV1ManageWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    events: ("user.created" | "ticket.redeemed" | "ticket.rejected" | "session.ended" | "api_token.created" | "api_token.revoked" | "partner_token.rotated")[];
                    url: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        endpoint: {
                            created_at: string;
                            events: string[];
                            id: string;
                            partner_id: string | null;
                            url: string;
                        };
                        secret: string;
                    };
                };
            };
        };
    };
    deleteV1ManageWebhooksEndpointId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Done */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getV1Partner: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        api_token_id: string | null;
                        contract_expires_at: string | null;
                        id: string;
                        name: string;
                        partner_user_id: string | null;
                        status: string;
                        sub_accounts: string[];
                    };
                };
            };
        };
    };
    getV1SessionVerify: {
        parameters: {
            query?: {
                app?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Refused: an HTML page on a browser route, the vendor's own envelope on its shapes, problem+json elsewhere (docs/errors.md) */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    postV1SessionsIntrospect: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    client_id?: string;
                    client_secret?: string;
                    token: string;
                    token_type_hint?: string;
                };
                "application/x-www-form-urlencoded": {
                    client_id?: string;
                    client_secret?: string;
                    token: string;
                    token_type_hint?: string;
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    postV1SsoTickets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    app: string;
                    bind_ip?: string;
                    fields?: {
                        email?: {
                            editable?: boolean;
                            hidden?: boolean;
                            support_alternate?: boolean;
                        };
                        phone?: {
                            editable?: boolean;
                            hidden?: boolean;
                        };
                    };
                    on_behalf_of?: string;
                    otp?: "none" | "primary_email" | "primary_phone" | "alternate_email";
                    partner_data?: {
                        auth_token?: string;
                    } & {
                        [key: string]: unknown;
                    };
                    return_to?: string;
                    ttl_seconds?: number;
                    user: {
                        email?: string;
                        /** @description The partner's own id for the user */
                        id: string;
                        name?: string;
                        phone?: {
                            country_code: string;
                            number: string;
                        };
                    };
                };
            };
        };
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expires_at: string;
                        id: string;
                        login_url: string;
                        ticket: string;
                        user_id: string;
                    };
                };
            };
        };
    };
    getV1SsoTicketsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account_id: string;
                        app: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        expires_at: string;
                        id: string;
                        last_failure: {
                            /** Format: date-time */
                            at: string;
                            reason: string;
                        } | null;
                        reason: string | null;
                        redeemed_at: string | null;
                        rejected_at: string | null;
                        revoked_at: string | null;
                        status: "issued" | "redeemed" | "expired" | "revoked" | "rejected";
                        user_id: string;
                    };
                };
            };
        };
    };
    deleteV1SsoTicketsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account_id: string;
                        app: string;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        expires_at: string;
                        id: string;
                        last_failure: {
                            /** Format: date-time */
                            at: string;
                            reason: string;
                        } | null;
                        reason: string | null;
                        redeemed_at: string | null;
                        rejected_at: string | null;
                        revoked_at: string | null;
                        status: "issued" | "redeemed" | "expired" | "revoked" | "rejected";
                        user_id: string;
                    };
                };
            };
        };
    };
    postV1UsersIdSessionsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ended: number;
                    };
                };
            };
        };
    };
    postV1UsersIdTicketsRevoke: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RFC 9457 problem details with a stable `code` */
            "4XX": {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        code: string;
                        detail?: string;
                        request_id: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revoked: number;
                    };
                };
            };
        };
    };
}
