// Where RP-initiated logout lands once every other app was told: the client's registered
// post-logout redirect URI, with the `state` it sent, exactly as oidc-provider would have
// redirected; never a URL taken from the request as such.
import type { App } from "../apps/service.js";

/** The end of a browser logout that RP-initiated logout started: a client's registered URI. */
export interface PostLogoutRedirect {
  kind: "redirect";
  /** The client (app id) whose registered URI this is. */
  app: string;
  /** One of that app's post-logout redirect URIs, as registered. */
  uri: string;
  state?: string;
}

/** The URL oidc-provider sends the browser to: the registered URI with `state` set in its query. */
export function postLogoutUrl(uri: string, state: string | undefined): string {
  const url = new URL(uri);
  if (state !== undefined) url.searchParams.set("state", state);
  return url.href;
}

/**
 * Which registered URI of `app` oidc-provider's redirect (`location`) goes to, and with which
 * `state`; null when it goes to none of them (its own signed-out page, say).
 */
export function postLogoutRedirect(app: App | null, location: string): PostLogoutRedirect | null {
  if (!app || !location) return null;
  let state: string | undefined;
  try {
    state = new URL(location).searchParams.get("state") ?? undefined;
  } catch {
    return null;
  }
  for (const uri of app.oidc.postLogoutRedirectUris) {
    if (postLogoutUrl(uri, state) === location) {
      return { kind: "redirect", app: app.id, uri, ...(state !== undefined ? { state } : {}) };
    }
  }
  return null;
}

/** The URL a chain ends at, or null when `app` no longer registers the URI it names. */
export function checkedPostLogoutUrl(app: App | null, finish: PostLogoutRedirect): string | null {
  if (!app || app.id !== finish.app || !app.oidc.postLogoutRedirectUris.includes(finish.uri)) {
    return null;
  }
  return postLogoutUrl(finish.uri, finish.state);
}
