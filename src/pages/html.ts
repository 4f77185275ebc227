// The few HTML pages Handoff shows people: the step in front of a login link, what went wrong,
// signed out, and the demo app. Plain strings with every value escaped; inline style and script
// are allowed by their hashes only.
import { createHash } from "node:crypto";
import type { FastifyReply } from "fastify";

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2430;line-height:1.5}h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1.2rem;border-radius:.4rem;border:1px solid #345;background:#2a5bd7;color:#fff;cursor:pointer}.muted{color:#5b6575;font-size:.9rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}dt{font-weight:600}`;
/** Submits the login form at once, so the person does not have to click. */
const AUTO_SUBMIT = `document.getElementById("continue").submit();`;

const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
const STYLE_HASH = hash(STYLE);
const SCRIPT_HASH = hash(AUTO_SUBMIT);

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    const text = Array.isArray(value)
      ? value.map((v) => (v instanceof Html ? v.value : escapeHtml(String(v)))).join("")
      : value instanceof Html
        ? value.value
        : escapeHtml(String(value ?? ""));
    out += text + (strings[i + 1] ?? "");
  });
  return new Html(out);
}

export interface PageOptions {
  title: string;
  body: Html;
  status?: number;
  /** Runs the auto-submit script (the login step). */
  autoSubmit?: boolean;
  /** Origins a form on this page may end up at (after the redirect that follows a POST). */
  formTargets?: string[];
  /** Origins this page may frame (front-channel logout's hidden iframes); none by default. */
  frameTargets?: string[];
  /** A stylesheet of its own instead of the plain pages' (the console's), allowed by its hash. */
  style?: string;
  /** A script for this page (a fixed string, never built from data), allowed by its hash. */
  script?: string;
}

const hashes = new Map<string, string>();
/** The CSP hash of a fixed style or script, computed once per text. */
function hashOf(text: string): string {
  let value = hashes.get(text);
  if (value === undefined) {
    value = hash(text);
    hashes.set(text, value);
  }
  return value;
}

export interface RenderedPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A page and the CSP that allows exactly its own style and script (for Fastify or Koa). */
export function renderPage(options: PageOptions): RenderedPage {
  const scriptText = options.autoSubmit ? AUTO_SUBMIT : options.script;
  const scripts = scriptText
    ? `script-src ${scriptText === AUTO_SUBMIT ? SCRIPT_HASH : hashOf(scriptText)}; `
    : "";
  const forms = ["'self'", ...(options.formTargets ?? [])].join(" ");
  const frames = options.frameTargets?.length
    ? `frame-src ${options.frameTargets.join(" ")}; `
    : "";
  const script = scriptText ? `<script>${scriptText}</script>` : "";
  const style = options.style ?? STYLE;
  const styleHash = options.style ? hashOf(options.style) : STYLE_HASH;
  return {
    status: options.status ?? 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; style-src ${styleHash}; ${scripts}${frames}form-action ${forms}; frame-ancestors 'none'; base-uri 'none'`,
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(options.title)}</title><style>${style}</style></head><body>${options.body.value}${script}</body></html>`,
  };
}

/** Sends a page with a CSP that allows exactly its own style and script. */
export function sendPage(reply: FastifyReply, options: PageOptions): FastifyReply {
  const page = renderPage(options);
  return reply.code(page.status).headers(page.headers).send(page.body);
}
