// The page that carries a SAML message through the browser by HTTP-POST: a Response to an SP's
// ACS, a LogoutResponse to its logout URL, or a request posted again from Handoff's own origin.
import type { FastifyReply } from "fastify";
import { html, sendPage } from "../pages/html.js";
import type { PostForm } from "./idp.js";

/**
 * The page that posts a SAML message to the SP (a Response to its ACS, a LogoutResponse to its
 * logout URL): at once with script, a button without.
 */
export function samlPostPage(
  reply: FastifyReply,
  form: PostForm,
  appName: string,
  doing = "Signing in to",
): FastifyReply {
  const fields = Object.entries(form.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return sendPage(reply.header("cache-control", "no-store"), {
    title: `${doing} ${appName}`,
    autoSubmit: true,
    formTargets: [new URL(form.action).origin],
    body: html`<main><h1>${doing} ${appName}</h1><form id="continue" method="post" action="${form.action}">${fields}<noscript><p>JavaScript is off: continue by hand.</p></noscript><button type="submit">Continue</button></form></main>`,
  });
}
