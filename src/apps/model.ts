// The app as services and views see it: its shape, defaults, row mapping and JSON view.
import type { SamlSettings } from "./saml-settings.js";
import type { AppRow } from "./store.js";

export interface App {
  id: string;
  name: string;
  baseUrl: string;
  returnPaths: string[];
  products: string[];
  ticketTtlDefault: number;
  ticketTtlMax: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  failureUrl: string | null;
  ipBinding: "exact" | "prefix";
  seesAuthToken: boolean;
  hasSecret: boolean;
  /** The app as an OpenID Connect client (client id = app id, client secret = app secret). */
  oidc: OidcSettings;
  /** The app as a SAML service provider; null: no SAML. */
  saml: SamlSettings | null;
  /** Apps of one group open with one Handoff session (the same partner's); null: none. */
  signInGroup: string | null;
}

export interface OidcSettings {
  /** Where codes may be sent; empty means the app does not use OIDC. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  refreshTokens: boolean;
  /** PKCE is required unless the operator let this (confidential) client go without it. */
  pkceRequired: boolean;
  /** Where OIDC Back-Channel Logout tokens go when a session it signed in ends; null: none. */
  backchannelLogoutUri: string | null;
  /**
   * The page the person's browser loads, in a hidden iframe, when a browser logout ends a session
   * it signed in (OIDC Front-Channel Logout); null: none. Unused while a back-channel URI is set.
   */
  frontchannelLogoutUri: string | null;
}

export interface NewApp {
  name: string;
  baseUrl: string;
  returnPaths?: string[];
  products?: string[];
  ticketTtlDefault?: number;
  ticketTtlMax?: number;
  sessionIdleSeconds?: number;
  sessionAbsoluteSeconds?: number;
  failureUrl?: string | null;
  ipBinding?: "exact" | "prefix";
  seesAuthToken?: boolean;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  refreshTokens?: boolean;
  pkceRequired?: boolean;
  backchannelLogoutUri?: string | null;
  frontchannelLogoutUri?: string | null;
  saml?: SamlSettings | null;
  signInGroup?: string | null;
}

export const APP_DEFAULTS = {
  returnPaths: ["/"],
  ticketTtlDefault: 300,
  ticketTtlMax: 3600,
  sessionIdleSeconds: 30 * 60,
  sessionAbsoluteSeconds: 12 * 3600,
} as const;

export type AppChanges = Partial<NewApp>;

/** The app as the services use it, from its row (JSON columns parsed). */
export function toApp(row: AppRow): App {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    returnPaths: JSON.parse(row.return_paths) as string[],
    products: JSON.parse(row.products) as string[],
    ticketTtlDefault: row.ticket_ttl_default,
    ticketTtlMax: row.ticket_ttl_max,
    sessionIdleSeconds: row.session_idle_seconds,
    sessionAbsoluteSeconds: row.session_absolute_seconds,
    failureUrl: row.failure_url,
    ipBinding: row.ip_binding,
    seesAuthToken: row.sees_auth_token === 1,
    hasSecret: row.secret_hash !== null,
    oidc: {
      redirectUris: JSON.parse(row.oidc_redirect_uris) as string[],
      postLogoutRedirectUris: JSON.parse(row.oidc_post_logout_redirect_uris) as string[],
      refreshTokens: row.oidc_refresh_tokens === 1,
      pkceRequired: row.oidc_pkce_required !== 0,
      backchannelLogoutUri: row.oidc_backchannel_logout_uri,
      frontchannelLogoutUri: row.oidc_frontchannel_logout_uri,
    },
    saml: row.saml ? (JSON.parse(row.saml) as SamlSettings) : null,
    signInGroup: row.sign_in_group,
  };
}

/** An app as the CLI and the management API show it (snake_case; never the secret). */
export function appView(app: App) {
  return {
    id: app.id,
    name: app.name,
    url: app.baseUrl,
    return_paths: app.returnPaths,
    products: app.products,
    ticket_ttl: app.ticketTtlDefault,
    ticket_ttl_max: app.ticketTtlMax,
    session_idle: app.sessionIdleSeconds,
    session_absolute: app.sessionAbsoluteSeconds,
    failure_url: app.failureUrl,
    ip_binding: app.ipBinding,
    sees_auth_token: app.seesAuthToken,
    has_secret: app.hasSecret,
    oidc_redirect_uris: app.oidc.redirectUris,
    oidc_post_logout_redirect_uris: app.oidc.postLogoutRedirectUris,
    oidc_refresh_tokens: app.oidc.refreshTokens,
    oidc_pkce_required: app.oidc.pkceRequired,
    oidc_backchannel_logout_uri: app.oidc.backchannelLogoutUri,
    oidc_frontchannel_logout_uri: app.oidc.frontchannelLogoutUri,
    saml: app.saml && {
      entity_id: app.saml.entityId,
      acs_urls: app.saml.acsUrls,
      name_id_format: app.saml.nameIdFormat,
      certificate: app.saml.certificate,
      encryption_certificate: app.saml.encryptionCertificate ?? null,
      slo_url: app.saml.sloUrl,
      slo_binding: app.saml.sloBinding ?? "redirect",
      slo_soap_url: app.saml.sloSoapUrl ?? null,
    },
    sign_in_group: app.signInGroup,
  };
}
