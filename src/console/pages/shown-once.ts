// A new secret, shown once after POST/redirect/GET: the form's POST makes it, seals it into a
// short-lived cookie bound to the console session, and redirects to /console/shown, which shows
// it and clears the cookie. Reloading that page makes nothing and shows nothing again; a reload
// of the POST is never offered to the browser. The cookie is sealed with the secret key, so any
// node of a cluster can show it, and only to the session that made it.
import type { FastifyInstance, FastifyReply } from "fastify";
import { html } from "../../pages/html.js";
import type { ConsoleSession } from "../signin/service.js";
import { type Deps, type PageKit, send } from "./page-kit.js";
import { shownOnce } from "./views.js";

const COOKIE = "handoff_shown";
const PATH = "/console/shown";
/** Long enough to follow the redirect; a secret not shown by then is simply lost. */
const MAX_AGE_SECONDS = 120;

export interface NewSecret {
  title: string;
  heading: string;
  /** What the secret is ("API token", "Partner token" …). */
  label: string;
  secret: string;
  /** Where to go next, and what the link says. */
  next: { href: string; text: string };
  /** A line after the secret (what to do with it). */
  advice?: string;
  /** Identifiers worth copying beside it ("Partner ID"), each shown as code. */
  ids?: [string, string][];
}

const context = (session: ConsoleSession) => `console-shown:${session.id}`;

/** Answers a POST that made `made`: 303 to the page that shows it once. */
export function redirectToSecret(
  reply: FastifyReply,
  deps: Pick<Deps, "config" | "sealer">,
  session: ConsoleSession,
  made: NewSecret,
): FastifyReply {
  reply.setCookie(COOKIE, deps.sealer.seal(JSON.stringify(made), context(session)), {
    path: PATH,
    httpOnly: true,
    sameSite: "strict",
    secure: deps.config.baseUrl.startsWith("https:"),
    maxAge: MAX_AGE_SECONDS,
  });
  return reply.redirect(PATH, 303);
}

function opened(deps: Pick<Deps, "sealer">, raw: string | undefined, session: ConsoleSession) {
  if (!raw) return null;
  try {
    return JSON.parse(deps.sealer.open(raw, context(session))) as NewSecret;
  } catch {
    return null; // another session's, tampered with, or sealed under an older key
  }
}

export function shownOncePage(scope: FastifyInstance, deps: Deps, kit: PageKit): void {
  scope.get(PATH, { schema: { hide: true } }, async (request, reply) => {
    const session = await kit.viewer(request, reply);
    if (!session) return reply;
    const made = opened(deps, request.cookies[COOKIE], session);
    reply.clearCookie(COOKIE, { path: PATH });
    if (!made) {
      return send(reply, session, {
        title: "Shown once",
        body: html`<h1>This secret was shown once</h1><p>A new secret is shown only on the page that follows its creation, and never again. If it was not copied, make a new one.</p><p><a href="/console">Back to the console</a></p>`,
      });
    }
    return send(reply, session, {
      title: made.title,
      body: html`<h1>${made.heading}</h1>${(made.ids ?? []).map(([label, id]) => html`<p>${label}: <code>${id}</code></p>`)}${shownOnce(made.label, made.secret)}${made.advice ? html`<p>${made.advice}</p>` : ""}<p><a href="${made.next.href}">${made.next.text}</a></p>`,
    });
  });
}
