// Front-channel single logout (issue 28): when a person signs out in a browser (POST /logout, or
// a LogoutRequest from one SAML app), every other SAML app their Handoff session signed in to is
// sent a signed LogoutRequest through the browser, one after another; each answers with a
// LogoutResponse at /saml/slo, which is checked before the browser moves on; at the end the
// browser lands where it would have without the chain (the signed-out page, or the LogoutResponse
// to the app that asked). Which apps a session signed in to is in saml_sessions; the chain's state
// travels in a sealed cookie, so any node can take the next step and nothing is held in memory.
// An app that never answers cannot trap anyone: the chain expires after CHAIN_MS, and the page it
// ends on names the apps that may still be signed in.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { NameIdFormat, SamlSettings } from "../apps/saml-settings.js";
import type { App, AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Sealer } from "../crypto/seal.js";
import type { Storage } from "../db/database.js";
import { html, sendPage } from "../pages/html.js";
import type { LiveSession } from "../sessions/service.js";
import type { LogoutRequest, SamlIdp } from "./idp.js";
import { SamlError, type SamlInput, sessionIndex } from "./idp.js";
import type { Binding } from "./messages.js";
import { PeerLogout } from "./peer-logout.js";
import { samlPostPage } from "./post-page.js";
import type { SamlStore } from "./store.js";

const COOKIE = "handoff_slo";
/** Bound into the seal, so no other sealed value can stand in for a chain. */
const SEAL_CONTEXT = "saml-front-channel-logout";
/** How long the chain waits for the apps' answers; after that it gives up on the rest. */
export const CHAIN_MS = 5 * 60_000;
/** The cookie outlives the chain, so a late answer or a second sign-out can still name the apps. */
const COOKIE_SECONDS = 3600;
/** At most this many apps are told in turn (the cookie stays well under 4 KiB); any more are named. */
const MAX_APPS = 10;

/** An app to tell, and whom and which session it was told about at sign-in. */
interface Participant {
  app: string;
  nameId: string;
  nameIdFormat: NameIdFormat;
  sessionIndex: string;
}

/** Where the browser goes once every app was told: the signed-out page, or the asking app. */
type Finish =
  | { kind: "page" }
  | { kind: "saml"; app: string; binding: Binding; requestId: string; relayState?: string };

/** The chain's state, sealed in the cookie. */
interface Chain {
  expiresAt: number;
  /** The LogoutRequest sent and not yet answered. */
  current: { app: string; requestId: string } | null;
  pending: Participant[];
  /** Apps that may still be signed in: no answer, or an answer saying the logout failed. */
  unconfirmed: string[];
  finish: Finish;
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

export class FrontChannelLogout {
  /** Handoff's LogoutRequests to the session's other apps, and their answers. */
  readonly #peers: PeerLogout;

  constructor(
    private readonly storage: Storage,
    private readonly store: SamlStore,
    private readonly saml: SamlIdp,
    private readonly apps: AppService,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly config: Config,
  ) {
    this.#peers = new PeerLogout(saml, clock);
  }

  /** Records that `session` signed in to `app`, with the NameID and SessionIndex it was given. */
  async remember(app: App & { saml: SamlSettings }, session: LiveSession): Promise<void> {
    const format = app.saml.nameIdFormat;
    const nameId = format === "email" ? session.email : session.userId;
    if (!nameId) return; // no Response was signed: it needs the NameID too
    const now = this.clock.now();
    await this.storage.write((trx) =>
      this.store.recordSession(trx, {
        session_id: session.id,
        app_id: app.id,
        name_id: nameId,
        name_id_format: format,
        session_index: sessionIndex(session.id),
        signed_in_at: now,
        expires_at: session.absoluteAt,
      }),
    );
  }

  /**
   * After POST /logout ended `session` (null: there was none): the session's SAML apps are told
   * in turn; without a session, a chain left unfinished goes on past the app that did not answer;
   * otherwise the signed-out page.
   */
  async afterLogout(
    request: FastifyRequest,
    reply: FastifyReply,
    session: LiveSession | null,
  ): Promise<FastifyReply> {
    const participants = session ? await this.#participants(session, null) : [];
    if (participants.length > 0) return this.#begin(reply, participants, { kind: "page" });
    const chain = this.#open(request);
    if (!chain) {
      if (request.cookies[COOKIE] !== undefined) this.#clear(reply);
      return signedOutPage(reply, []);
    }
    if (chain.current) chain.unconfirmed.push(chain.current.app);
    chain.current = null;
    if (chain.expiresAt <= this.clock.now()) this.#giveUp(chain);
    return this.#next(request, reply, chain);
  }

  /**
   * After an app's LogoutRequest ended `session`: the session's other SAML apps are told in turn,
   * and the asking app gets its LogoutResponse at the end. Null when there is no one else to tell
   * (the caller answers at once).
   */
  async beforeAnswer(
    reply: FastifyReply,
    session: LiveSession,
    logout: LogoutRequest,
  ): Promise<FastifyReply | null> {
    const participants = await this.#participants(session, logout.app.id);
    if (participants.length === 0) return null;
    return this.#begin(reply, participants, {
      kind: "saml",
      app: logout.app.id,
      binding: logout.binding,
      requestId: requestIdOf(logout),
      ...(logout.relayState ? { relayState: logout.relayState } : {}),
    });
  }

  /**
   * An app's LogoutResponse at /saml/slo: checked against the request the chain waits for, then
   * on to the next app. A response that fails the checks moves nothing (the session is already
   * ended; the page offers to go on without that app).
   */
  async received(
    request: FastifyRequest,
    reply: FastifyReply,
    input: SamlInput,
  ): Promise<FastifyReply> {
    const chain = this.#open(request);
    if (!chain?.current) {
      return refusedPage(reply, "Handoff is not waiting for this app's answer", false);
    }
    if (chain.expiresAt <= this.clock.now()) {
      chain.unconfirmed.push(chain.current.app);
      chain.current = null;
      this.#giveUp(chain);
      return this.#next(request, reply, chain);
    }
    const app = await this.apps.find(chain.current.app);
    if (!app?.saml) {
      chain.unconfirmed.push(chain.current.app);
    } else {
      let answer: { success: boolean };
      try {
        answer = await this.#peers.receiveLogoutResponse(
          app as App & { saml: SamlSettings },
          input,
          chain.current.requestId,
        );
      } catch (error) {
        if (!(error instanceof SamlError)) throw error;
        request.log.info({ reason: error.message, app: app.id }, "SAML LogoutResponse refused");
        return refusedPage(reply, error.message, true);
      }
      if (!answer.success) chain.unconfirmed.push(app.id);
    }
    chain.current = null;
    return this.#next(request, reply, chain);
  }

  /** The apps `session` signed in to that can be told (a logout URL), but `except`. */
  async #participants(session: LiveSession, except: string | null): Promise<Participant[]> {
    const rows = await this.store.sessionApps(session.id);
    const participants: Participant[] = [];
    for (const row of rows) {
      if (row.app_id === except) continue;
      const app = await this.apps.find(row.app_id);
      if (!app?.saml?.sloUrl) continue;
      participants.push({
        app: row.app_id,
        nameId: row.name_id,
        nameIdFormat: row.name_id_format,
        sessionIndex: row.session_index,
      });
    }
    return participants;
  }

  #begin(reply: FastifyReply, participants: Participant[], finish: Finish): Promise<FastifyReply> {
    const chain: Chain = {
      expiresAt: this.clock.now() + CHAIN_MS,
      current: null,
      pending: participants.slice(0, MAX_APPS),
      unconfirmed: participants.slice(MAX_APPS).map((p) => p.app),
      finish,
    };
    return this.#next(null, reply, chain);
  }

  /** Every app still to be told is named as perhaps signed in, and none is told. */
  #giveUp(chain: Chain): void {
    chain.unconfirmed.push(...chain.pending.map((p) => p.app));
    chain.pending = [];
  }

  /** A LogoutRequest to the next app (in its binding), or the end of the chain. */
  async #next(
    request: FastifyRequest | null,
    reply: FastifyReply,
    chain: Chain,
  ): Promise<FastifyReply> {
    for (let next = chain.pending.shift(); next; next = chain.pending.shift()) {
      const app = await this.apps.find(next.app);
      if (!app?.saml?.sloUrl) continue; // no longer a SAML app with a logout URL: none to tell
      const sent = await this.#peers.sendLogoutRequest(app as App & { saml: SamlSettings }, next);
      chain.current = { app: app.id, requestId: sent.id };
      this.#store(reply, chain);
      if ("form" in sent) return samlPostPage(reply, sent.form, app.name, "Signing out of");
      return reply.header("cache-control", "no-store").redirect(sent.url, 302);
    }
    return this.#finish(request, reply, chain);
  }

  async #finish(
    request: FastifyRequest | null,
    reply: FastifyReply,
    chain: Chain,
  ): Promise<FastifyReply> {
    this.#clear(reply);
    const names: string[] = [];
    for (const id of new Set(chain.unconfirmed)) {
      const app = await this.apps.find(id);
      if (app) names.push(app.name);
    }
    const { finish } = chain;
    if (finish.kind === "saml") {
      const app = await this.apps.find(finish.app);
      if (names.length > 0) {
        request?.log.info({ apps: chain.unconfirmed }, "SAML apps may still be signed in");
      }
      if (app?.saml?.sloUrl) {
        const answer = await this.saml.logoutResponse({
          app: app as App & { saml: SamlSettings },
          binding: finish.binding,
          parsed: { extract: { request: { id: finish.requestId } } },
          sessionIndex: null,
          relayState: finish.relayState,
        });
        if (answer.binding === "redirect") return reply.redirect(answer.url, 302);
        return samlPostPage(reply, answer.form, app.name, "Signing out of");
      }
    }
    return signedOutPage(reply, names);
  }

  #store(reply: FastifyReply, chain: Chain): void {
    reply.setCookie(COOKIE, this.sealer.seal(JSON.stringify(chain), SEAL_CONTEXT), {
      path: "/",
      httpOnly: true,
      // Lax: the app's redirect back (a top-level GET from its site) brings the cookie; a POSTed
      // answer is posted again from Handoff's own page first (src/saml/routes.ts).
      sameSite: "lax",
      secure: this.config.baseUrl.startsWith("https:"),
      maxAge: COOKIE_SECONDS,
    });
  }

  #clear(reply: FastifyReply): void {
    reply.clearCookie(COOKIE, { path: "/" });
  }

  #open(request: FastifyRequest): Chain | null {
    const raw = request.cookies[COOKIE];
    if (!raw) return null;
    try {
      return JSON.parse(this.sealer.open(raw, SEAL_CONTEXT)) as Chain;
    } catch {
      return null; // tampered with, or sealed under an older key
    }
  }
}

/** The ID of a LogoutRequest samlify parsed (its checks made sure there is one). */
function requestIdOf(logout: LogoutRequest): string {
  const parsed = logout.parsed as { extract?: { request?: { id?: unknown } } };
  const id = parsed.extract?.request?.id;
  if (typeof id !== "string") throw new SamlError("the request has no ID");
  return id;
}

/** A LogoutResponse the chain cannot take: 400, and (mid-chain) a way on without that app. */
function refusedPage(reply: FastifyReply, reason: string, midChain: boolean): FastifyReply {
  return sendPage(reply.header("cache-control", "no-store"), {
    status: 400,
    title: "This sign-out answer was refused",
    body: html`<main><h1>This sign-out answer was refused</h1><p>An app answered Handoff's sign-out request in a way Handoff cannot accept: ${reason}.</p><p>You are signed out of Handoff.</p>${midChain ? html`<form method="post" action="/logout"><button type="submit">Continue signing out of the other apps</button></form>` : ""}</main>`,
  });
}
