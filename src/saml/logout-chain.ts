// A browser logout's chain (src/saml/front-channel.ts runs it): what is still to be told, sealed
// in a cookie so any node can take the next step and nothing is held in memory; the pages the
// chain ends on; and how it sends the browser on to another site.
import type { FastifyReply } from "fastify";
import type { NameIdFormat } from "../apps/saml-settings.js";
import type { Sealer } from "../crypto/seal.js";
import type { FrontChannelClient } from "../oidc/frontchannel.js";
import type { PostLogoutRedirect } from "../oidc/post-logout.js";
import { html, sendPage } from "../pages/html.js";
import type { Binding } from "./messages.js";

export const CHAIN_COOKIE = "handoff_slo";
/** Bound into the seal, so no other sealed value can stand in for a chain. */
const SEAL_CONTEXT = "saml-front-channel-logout";
/** How long the chain waits for the apps' answers; after that it gives up on the rest. */
export const CHAIN_MS = 5 * 60_000;
/** The cookie outlives the chain, so a late answer or a second sign-out can still name the apps. */
const COOKIE_SECONDS = 3600;
/** At most this many apps are told in turn (the cookie stays well under 4 KiB); any more are named. */
export const MAX_APPS = 10;

/** An app to tell, and whom and which session it was told about at sign-in. */
export interface Participant {
  app: string;
  nameId: string;
  nameIdFormat: NameIdFormat;
  sessionIndex: string;
}

/**
 * Where the browser goes once every app was told: the signed-out page, the asking SAML app, or
 * (RP-initiated logout) the OIDC client's registered post-logout URI, checked again at the end.
 */
export type Finish =
  | { kind: "page" }
  | { kind: "saml"; app: string; binding: Binding; requestId: string; relayState?: string }
  | PostLogoutRedirect;

/** The chain's sealed cookie, for a response Fastify does not send (oidc-provider's, in Koa). */
export interface ChainCookie {
  name: string;
  value: string;
  options: { path: "/"; httpOnly: true; sameSite: "lax"; secure: boolean; maxAgeSeconds: number };
}

/** The chain's state, sealed in the cookie. */
export interface Chain {
  expiresAt: number;
  /** OIDC clients still to be told by hidden iframes, before any SAML app (at most MAX_APPS). */
  frames: FrontChannelClient[];
  /** The LogoutRequest sent and not yet answered. */
  current: { app: string; requestId: string } | null;
  pending: Participant[];
  /** Apps that may still be signed in: no answer, or an answer saying the logout failed. */
  unconfirmed: string[];
  finish: Finish;
}

/** The cookie carrying `chain`, sealed. */
export function chainCookie(sealer: Sealer, chain: Chain, secure: boolean): ChainCookie {
  return {
    name: CHAIN_COOKIE,
    value: sealer.seal(JSON.stringify(chain), SEAL_CONTEXT),
    options: {
      path: "/",
      httpOnly: true,
      // Lax: the app's redirect back (a top-level GET from its site) brings the cookie; a POSTed
      // answer is posted again from Handoff's own page first (src/saml/routes.ts).
      sameSite: "lax",
      secure,
      maxAgeSeconds: COOKIE_SECONDS,
    },
  };
}

/** The chain a cookie carries; null when there is none, or it was tampered with or is too old. */
export function openChain(sealer: Sealer, raw: string | undefined): Chain | null {
  if (!raw) return null;
  try {
    const chain = JSON.parse(sealer.open(raw, SEAL_CONTEXT)) as Chain;
    chain.frames ??= []; // a chain sealed before front-channel logout
    return chain;
  } catch {
    return null; // tampered with, or sealed under an older key
  }
}

/** The signed-out page, naming the apps that may still be signed in. */
export function signedOutPage(reply: FastifyReply, stillSignedIn: string[]): FastifyReply {
  const apps = stillSignedIn.map((name) => html`<li>${name}</li>`);
  return sendPage(reply.header("cache-control", "no-store"), {
    title: "Signed out",
    body:
      stillSignedIn.length === 0
        ? html`<main><h1>You are signed out</h1><p>You can close this page.</p></main>`
        : html`<main><h1>You are signed out of Handoff</h1><p>These apps did not confirm that they signed you out, and may still be signed in:</p><ul>${apps}</ul><p>Open each and sign out there, or close the browser.</p></main>`,
  });
}

/** A LogoutResponse the chain cannot take: 400, and (mid-chain) a way on without that app. */
export function refusedPage(reply: FastifyReply, reason: string, midChain: boolean): FastifyReply {
  return sendPage(reply.header("cache-control", "no-store"), {
    status: 400,
    title: "This sign-out answer was refused",
    body: html`<main><h1>This sign-out answer was refused</h1><p>An app answered Handoff's sign-out request in a way Handoff cannot accept: ${reason}.</p><p>You are signed out of Handoff.</p>${midChain ? html`<form method="post" action="/logout"><button type="submit">Continue signing out of the other apps</button></form>` : ""}</main>`,
  });
}

/** Follows the page's link at once: a navigation of its own, not the form's that posted here. */
const FOLLOW = `location.replace(document.getElementById("continue").href);`;

/**
 * Sends the browser on to another site's `url` (an app's logout URL, or where the chain ends): by
 * redirect, but in answer to a form's POST (a "Sign out" button posting to /logout, the
 * front-channel page posting to /logout/continue, a LogoutResponse posted back) by a page whose
 * link the browser follows at once. Chromium holds every redirect after a form's POST to the
 * posting page's CSP `form-action`, and no page that posts here can name every app a chain may go
 * to. A form's POST is a navigation (`Sec-Fetch-Mode`); a browser that sends no Fetch Metadata
 * (Safari before 16.4) gets the page too.
 */
export function onward(reply: FastifyReply, url: string, appName: string, status: 302 | 303) {
  reply.header("cache-control", "no-store");
  const { method, headers } = reply.request;
  const navigated =
    headers["sec-fetch-mode"] === "navigate" || headers["sec-fetch-site"] === undefined;
  if (method !== "POST" || !navigated) return reply.redirect(url, status);
  return sendPage(reply, {
    title: "Signing out",
    script: FOLLOW,
    body: html`<main><h1>Signing you out…</h1><p><a id="continue" href="${url}">Continue to ${appName}</a></p></main>`,
  });
}
