// Front-channel single logout (issue 28): when a person signs out in a browser (POST /logout, or
// a LogoutRequest from one SAML app), every other SAML app their Handoff session signed in to is
// sent a signed LogoutRequest through the browser, one after another; each answers with a
// LogoutResponse at /saml/slo, which is checked before the browser moves on; at the end the
// browser lands where it would have without the chain (the signed-out page, or the LogoutResponse
// to the app that asked). Which apps a session signed in to is in saml_sessions; the chain's state
// travels in a sealed cookie, so any node can take the next step and nothing is held in memory.
// An app that never answers cannot trap anyone: the chain expires after CHAIN_MS, and the page it
// ends on names the apps that may still be signed in.
// Before the SAML apps, the OIDC clients told by front channel (src/oidc/frontchannel.ts) get
// their hidden iframes; and an RP-initiated logout (src/oidc/provider.ts) runs the same chain,
// ending at the client's registered post-logout redirect URI. The chain's state, its cookie and
// its pages are in logout-chain.ts.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { SamlSettings } from "../apps/saml-settings.js";
import type { App, AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Sealer } from "../crypto/seal.js";
import type { Storage } from "../db/database.js";
import { type FrontChannelClient, OidcFrontChannel } from "../oidc/frontchannel.js";
import { checkedPostLogoutUrl } from "../oidc/post-logout.js";
import { type PageOptions, sendPage } from "../pages/html.js";
import type { LiveSession } from "../sessions/service.js";
import type { LogoutRequest, SamlIdp } from "./idp.js";
import { SamlError, type SamlInput, sessionIndex } from "./idp.js";
import {
  CHAIN_COOKIE,
  CHAIN_MS,
  type Chain,
  type ChainCookie,
  chainCookie,
  type Finish,
  MAX_APPS,
  onward,
  openChain,
  type Participant,
  refusedPage,
  signedOutPage,
} from "./logout-chain.js";
import { PeerLogout } from "./peer-logout.js";
import { samlPostPage } from "./post-page.js";
import type { SamlStore } from "./store.js";

export class FrontChannelLogout {
  /** Handoff's LogoutRequests to the session's other apps, and their answers. */
  readonly #peers: PeerLogout;
  /** The OIDC clients of a session told by front channel, and their page. */
  readonly #oidc: OidcFrontChannel;

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
    this.#oidc = new OidcFrontChannel(storage, apps, config.baseUrl);
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
   * After POST /logout ended `session` (null: there was none): the session's front-channel OIDC
   * clients, then its SAML apps, are told in turn; without a session, a chain left unfinished
   * goes on (past the app that did not answer; the front-channel page posts here to go on);
   * otherwise the signed-out page.
   */
  async afterLogout(
    request: FastifyRequest,
    reply: FastifyReply,
    session: LiveSession | null,
  ): Promise<FastifyReply> {
    const participants = session ? await this.#participants(session, null) : [];
    const frames = session ? await this.#oidc.clients(session.id) : [];
    if (participants.length > 0 || frames.length > 0) {
      return this.#next(request, reply, this.#chain(participants, frames, { kind: "page" }));
    }
    const chain = this.#open(request);
    if (!chain) {
      if (request.cookies[CHAIN_COOKIE] !== undefined) this.#clear(reply);
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
    const frames = await this.#oidc.clients(session.id);
    if (participants.length === 0 && frames.length === 0) return null;
    const chain = this.#chain(participants, frames, {
      kind: "saml",
      app: logout.app.id,
      binding: logout.binding,
      requestId: requestIdOf(logout),
      ...(logout.relayState ? { relayState: logout.relayState } : {}),
    });
    return this.#next(null, reply, chain);
  }

  /**
   * After RP-initiated logout ended `session` (src/oidc/provider.ts): the same chain as /logout,
   * ending at `finish`. oidc-provider answers through Koa, not Fastify, so its first step is
   * handed back to send, always as a page: the front-channel iframes (none, when only SAML apps
   * are to be told) and the form that posts to /logout/continue, which goes on. Null: no one to tell.
   */
  async afterProviderLogout(
    session: LiveSession,
    finish: Finish,
  ): Promise<{ page: PageOptions; cookie: ChainCookie } | null> {
    const participants = await this.#participants(session, null);
    const frames = await this.#oidc.clients(session.id);
    if (participants.length === 0 && frames.length === 0) return null;
    const chain = this.#chain(participants, frames, finish);
    const page = await this.#oidc.page(chain.frames);
    chain.frames = [];
    return { page, cookie: this.#cookie(chain) };
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
      // An app that offers SOAP is told by the back channel, for every way a session ends
      // (src/saml/soap-logout.ts): never through the browser as well.
      if (app.saml.sloSoapUrl) continue;
      participants.push({
        app: row.app_id,
        nameId: row.name_id,
        nameIdFormat: row.name_id_format,
        sessionIndex: row.session_index,
      });
    }
    return participants;
  }

  /** A new chain; past MAX_APPS of either kind, apps are named as perhaps signed in, not told. */
  #chain(participants: Participant[], frames: FrontChannelClient[], finish: Finish): Chain {
    return {
      expiresAt: this.clock.now() + CHAIN_MS,
      frames: frames.slice(0, MAX_APPS),
      current: null,
      pending: participants.slice(0, MAX_APPS),
      unconfirmed: [
        ...frames.slice(MAX_APPS).map((f) => f.client),
        ...participants.slice(MAX_APPS).map((p) => p.app),
      ],
      finish,
    };
  }

  /** Every app still to be told is named as perhaps signed in, and none is told. */
  #giveUp(chain: Chain): void {
    chain.unconfirmed.push(...chain.pending.map((p) => p.app));
    chain.pending = [];
  }

  /**
   * The front-channel OIDC clients' page (it posts to /logout/continue when done), a LogoutRequest to the
   * next app (in its binding), or the end of the chain.
   */
  async #next(
    request: FastifyRequest | null,
    reply: FastifyReply,
    chain: Chain,
  ): Promise<FastifyReply> {
    if (chain.frames.length > 0) {
      const page = await this.#oidc.page(chain.frames);
      chain.frames = [];
      this.#store(reply, chain);
      return sendPage(reply.header("cache-control", "no-store"), page);
    }
    for (let next = chain.pending.shift(); next; next = chain.pending.shift()) {
      const app = await this.apps.find(next.app);
      if (!app?.saml?.sloUrl) continue; // no longer a SAML app with a logout URL: none to tell
      const sent = await this.#peers.sendLogoutRequest(app as App & { saml: SamlSettings }, next);
      chain.current = { app: app.id, requestId: sent.id };
      this.#store(reply, chain);
      if ("form" in sent) return samlPostPage(reply, sent.form, app.name, "Signing out of");
      return onward(reply, sent.url, app.name, 302);
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
        if (answer.binding === "redirect") return onward(reply, answer.url, app.name, 302);
        return samlPostPage(reply, answer.form, app.name, "Signing out of");
      }
    }
    if (finish.kind === "redirect") {
      // Only a post-logout URI the client registers now, whatever the sealed chain says.
      const client = await this.apps.find(finish.app);
      const url = checkedPostLogoutUrl(client, finish);
      if (url) {
        if (names.length > 0) {
          request?.log.info({ apps: chain.unconfirmed }, "SAML apps may still be signed in");
        }
        return onward(reply, url, client?.name ?? "the app", 303);
      }
    }
    return signedOutPage(reply, names);
  }

  #store(reply: FastifyReply, chain: Chain): void {
    const { name, value, options } = this.#cookie(chain);
    const { maxAgeSeconds, ...rest } = options;
    reply.setCookie(name, value, { ...rest, maxAge: maxAgeSeconds });
  }

  #cookie(chain: Chain): ChainCookie {
    return chainCookie(this.sealer, chain, this.config.baseUrl.startsWith("https:"));
  }

  #clear(reply: FastifyReply): void {
    reply.clearCookie(CHAIN_COOKIE, { path: "/" });
  }

  #open(request: FastifyRequest): Chain | null {
    return openChain(this.sealer, request.cookies[CHAIN_COOKIE]);
  }
}

/** The ID of a LogoutRequest samlify parsed (its checks made sure there is one). */
function requestIdOf(logout: LogoutRequest): string {
  const parsed = logout.parsed as { extract?: { request?: { id?: unknown } } };
  const id = parsed.extract?.request?.id;
  if (typeof id !== "string") throw new SamlError("the request has no ID");
  return id;
}
