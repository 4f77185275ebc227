// OpenID Connect Front-Channel Logout 1.0 (issue 28): when a browser logout ends a Handoff session
// (POST /logout, RP-initiated logout, a SAML app's LogoutRequest), each OIDC client the session
// signed in that registered a front-channel logout URI, and no back-channel one, is told through
// the person's browser: a page loads each client's URI, with `iss` and `sid` (§2, §3), in a hidden
// iframe, then goes on by itself (src/saml/front-channel.ts runs the steps of a browser logout).
// An iframe tells Handoff nothing back, so the page waits for each to load, or a few seconds.
import type { AppService } from "../apps/service.js";
import type { Storage } from "../db/database.js";
import { html, type PageOptions } from "../pages/html.js";
import { OIDC_MOUNT } from "./mount.js";
import { OidcStore } from "./store.js";

/** A client to tell in the browser, and the `sid` its ID tokens carried (null: none recorded). */
export interface FrontChannelClient {
  client: string;
  sid: string | null;
}

/**
 * Posts the page's form (on to the next step) once every iframe has loaded, or after 3 s at
 * most: a client that never answers holds no one up. A fixed string, allowed by its hash.
 */
const CONTINUE = `(()=>{const frames=document.querySelectorAll("iframe");let left=frames.length,gone=false;const go=()=>{if(!gone){gone=true;document.getElementById("continue").submit();}};for(const frame of frames)frame.addEventListener("load",()=>{if(--left<=0)go();});if(left===0)go();setTimeout(go,3000);})();`;

/** A client's front-channel logout URI with `iss` and `sid` added to the query it registered. */
export function frontchannelUrl(uri: string, issuer: string, sid: string | null): string {
  // Appended, not set through URLSearchParams: the registered query stays byte for byte.
  const params = new URLSearchParams({ iss: issuer, ...(sid ? { sid } : {}) });
  return `${uri}${uri.includes("?") ? "&" : "?"}${params}`;
}

export class OidcFrontChannel {
  readonly #store: OidcStore;
  /** The issuer (`$HANDOFF_BASE_URL/oidc`): the iframes' `iss`. */
  readonly #issuer: string;

  constructor(
    storage: Storage,
    private readonly apps: AppService,
    baseUrl: string,
  ) {
    this.#store = new OidcStore(storage);
    this.#issuer = `${baseUrl}${OIDC_MOUNT}`;
  }

  /**
   * The clients to tell of the end of `sessionId`, read when it ends: one per client and `sid`
   * (a grant that never reached a code has no `sid`; a client's rows that have one are enough).
   */
  async clients(sessionId: string): Promise<FrontChannelClient[]> {
    const rows = await this.#store.frontchannelClients(sessionId);
    const withSid = new Set(rows.filter((row) => row.sid !== null).map((row) => row.client));
    return rows.filter((row) => row.sid !== null || !withSid.has(row.client));
  }

  /**
   * The page that tells `clients`: a hidden iframe for each, at the URI its app registers now
   * (never a URI carried by the request or the chain), the CSP's `frame-src` naming exactly
   * their origins; then it posts itself to /logout/continue, which takes the next step.
   */
  async page(clients: FrontChannelClient[]): Promise<PageOptions> {
    const frames: { url: string; name: string }[] = [];
    for (const { client, sid } of clients) {
      const app = await this.apps.find(client);
      const uri = app?.oidc.frontchannelLogoutUri;
      // A back-channel URI registered since: that client hears by back channel instead.
      if (!app || !uri || app.oidc.backchannelLogoutUri) continue;
      frames.push({ url: frontchannelUrl(uri, this.#issuer, sid), name: app.name });
    }
    const iframes = frames.map(
      (frame) =>
        html`<iframe hidden sandbox="allow-same-origin allow-scripts" title="Signing out of ${frame.name}" src="${frame.url}"></iframe>`,
    );
    return {
      title: "Signing out",
      frameTargets: [...new Set(frames.map((frame) => new URL(frame.url).origin))],
      script: CONTINUE,
      body: html`<main><h1>Signing you out…</h1><p>Handoff is telling the apps you used that you signed out.</p>${iframes}<form id="continue" method="post" action="/logout/continue"><button type="submit">Continue</button></form></main>`,
    };
  }
}
