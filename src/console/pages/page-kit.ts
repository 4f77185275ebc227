// What every console page shares: the page shell and notices, form fields, the partner tabs, the
// pages of the sign-in's second step and of confirmations, and the session guard of a page.
import type { FastifyReply, FastifyRequest } from "fastify";
import { HandoffError } from "../../http/errors.js";
import { Html, html, sendPage } from "../../pages/html.js";
import type { ConsoleDeps } from "../deps.js";
import type { Acting } from "../management.js";
import { consoleSession, requireConsoleChange } from "../signin/guard.js";
import type { ConsoleSession } from "../signin/service.js";
import type { Enrolment } from "../signin/totp.js";
import {
  alert,
  CONSOLE_SCRIPT,
  CONSOLE_STYLE,
  type ConsolePage,
  csrfField,
  layout,
} from "./views.js";

export type Deps = Pick<
  ConsoleDeps,
  "config" | "clock" | "consoleAuth" | "consoleFailures" | "management" | "sealer"
>;
export type Form = Record<string, string | undefined>;

/** Notices a redirect may ask for: fixed words, never text from the URL. */
export const NOTICES: Record<string, string> = {
  revoked: "The API token is revoked: exchanges with it fail from now on.",
  user_created: "The user is created. Give them their login and password by a safe channel.",
  unlocked: "The user is unlocked.",
  password: "The password is set; the user's console sessions have ended.",
  status: "The partner's status is changed.",
  linked: "The sub-account is linked.",
  unlinked: "The sub-account is unlinked.",
  key_revoked: "The signing key is revoked: what it signed no longer verifies.",
  keys_rotated: "New signing keys are published; they start signing two minutes from now.",
  contract: "The partner's contract end is changed.",
  totp_off: "The second factor is off: sign-in asks for your password only.",
  app_saved: "The app's settings are saved.",
  link_revoked: "The login link is revoked: it no longer signs anyone in.",
  webhook_removed: "The webhook endpoint is removed: nothing more is sent to it.",
  replayed: "The delivery is queued to be sent again now, under the same webhook-id.",
  callback_saved: "The call-back endpoint is saved; its signing secret is unchanged.",
  callback_removed: "The call-back endpoint is removed: apps' calls of that kind now fail.",
};

export function send(reply: FastifyReply, session: ConsoleSession | null, page: ConsolePage) {
  return sendPage(reply, {
    status: page.status ?? 200,
    title: `${page.title} · Handoff console`,
    body: layout(session, page),
    style: CONSOLE_STYLE,
    script: CONSOLE_SCRIPT,
  });
}

export function notice(request: FastifyRequest): Html {
  const done = (request.query as Record<string, unknown>)?.done;
  const text = typeof done === "string" ? NOTICES[done] : undefined;
  return text ? html`<div class="notice" role="status">${text}</div>` : html``;
}

export const str = (form: Form | undefined, name: string) => (form?.[name] ?? "").trim();

/** A date input's value (YYYY-MM-DD) as the end of that day in UTC; null when empty. */
export function dateField(value: string, name: string): number | null {
  if (!value) return null;
  const ms = Date.parse(`${value}T23:59:59Z`);
  if (Number.isNaN(ms)) throw new HandoffError("invalid_request", `${name} is not a date`);
  return ms;
}

export const tabs = (partnerId: string, active: string) => {
  const tab = (path: string, label: string) => {
    const href = `/console/partners/${partnerId}${path}`;
    return html`<li><a href="${href}"${active === path ? html` aria-current="page"` : ""}>${label}</a></li>`;
  };
  return html`<ul class="tabs" aria-label="Partner">${[
    tab("", "Summary"),
    tab("/tokens", "Token Management"),
    tab("/users", "Users"),
    tab("/activity", "Activity"),
    tab("/webhooks", "Webhooks"),
    tab("/callbacks", "Call-backs"),
    tab("/integration", "Integration"),
  ]}</ul>`;
};

/** Where a session that owes something must go first; null when it owes nothing. */
export function owedStep(session: ConsoleSession): string | null {
  if (session.pending === "totp") return "/console/sign-in/totp";
  if (session.pending === "enrol") return "/console/account";
  return null;
}

export function codePage(session: ConsoleSession, error?: string): ConsolePage {
  return {
    title: "Your code",
    status: error ? 401 : 200,
    body: html`<div class="signin"><h1>Your code</h1>${error ? alert(error) : ""}<form class="card" method="post" action="/console/sign-in/totp">${csrfField(session)}<div class="field"><label for="code">6-digit code from your authenticator app, or a recovery code</label><input id="code" name="code" autocomplete="one-time-code" required></div><button type="submit">Continue</button></form><form method="post" action="/console/sign-out">${csrfField(session)}<button class="secondary" type="submit">Cancel and sign out</button></form></div>`,
  };
}

export function enrolPage(session: ConsoleSession, enrolment: Enrolment): ConsolePage {
  return {
    title: "Set up your authenticator app",
    active: "/console/account",
    body: html`<h1>Set up your authenticator app</h1><div class="card"><p>Scan this QR code with your authenticator app, or type in the key below. Then enter the 6-digit code it shows.</p><div class="qr" role="img" aria-label="QR code holding your authenticator key">${new Html(enrolment.qrSvg)}</div><p>Key: <code id="totp-key">${enrolment.secret}</code></p><form class="row" method="post" action="/console/account/totp/confirm">${csrfField(session)}<div><label for="first-code">Code from the app</label><input id="first-code" name="code" inputmode="numeric" autocomplete="one-time-code" required></div><button type="submit">Turn on</button></form></div>`,
  };
}

/** A page that asks before a destructive action, and posts to `action` when confirmed. */
export function confirmPage(
  session: ConsoleSession,
  title: string,
  text: string,
  action: string,
  back: string,
  button: string,
  fields: Record<string, string> = {},
): ConsolePage {
  const hidden = Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return {
    title,
    body: html`<h1>${title}</h1><div class="card"><p>${text}</p><form method="post" action="${action}">${csrfField(session)}${hidden}<button class="danger" type="submit">${button}</button> <a href="${back}">Cancel</a></form></div>`,
  };
}

/** The path of one partner's pages, and their requests. */
export const Partner = "/console/partners/:partnerId";
export type PartnerRequest = FastifyRequest<{ Params: { partnerId: string } }>;

/** The session guard of the console's pages, bound to the app's services. */
export function pageKit(services: Deps) {
  /**
   * Loads the session for a page; null sends the person where they must go first: to sign in,
   * to give their TOTP code, or (an operator who must have one) to enrol.
   */
  async function viewer(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { owing?: boolean } = {},
  ): Promise<ConsoleSession | null> {
    const session = await consoleSession(services, request);
    const next = !session ? "/console/sign-in" : options.owing ? null : owedStep(session);
    if (next) {
      void reply.redirect(next, 303);
      return null;
    }
    return session;
  }

  async function acting(
    request: FastifyRequest,
    options: { owing?: boolean } = {},
  ): Promise<Acting & { session: ConsoleSession }> {
    const csrf = (request.body as Form | undefined)?.csrf;
    return requireConsoleChange(services, request, csrf, options);
  }

  /** A change to one's own second factor: allowed while an enrolment is owed, not a code. */
  async function enrolling(request: FastifyRequest) {
    const who = await acting(request, { owing: true });
    if (who.session.pending === "totp") throw new HandoffError("second_factor_required");
    return who;
  }

  return { viewer, acting, enrolling };
}

export type PageKit = ReturnType<typeof pageKit>;
