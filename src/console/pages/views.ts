// The console's look: one stylesheet, one small script (copy buttons), the layout with its
// navigation, and the pieces every page uses (tables, forms, secrets shown once). Server-rendered
// HTML, escaped by default (src/pages/html.ts), allowed by CSP hashes; no build step.
import { type Html, html } from "../../pages/html.js";
import type { ConsoleSession } from "../signin/service.js";

export const CONSOLE_STYLE = `
:root{--ink:#1d2430;--muted:#566173;--line:#d9dee6;--bg:#f6f7f9;--accent:#1f4fc2;--danger:#b3261e;--ok:#17663a}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #8fb0ff;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
header{background:#14213d;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center}
header .brand{font-weight:700;color:#fff;text-decoration:none;margin-right:auto}
header nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}
header nav a{color:#dfe7ff;text-decoration:none;padding:.2rem 0}
header nav a[aria-current=page]{color:#fff;border-bottom:2px solid #fff}
header form{margin:0}
header .who{color:#dfe7ff;font-size:.9rem}
main{max-width:80rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.card p{overflow-wrap:anywhere}
.tabs{display:flex;flex-wrap:wrap;gap:.3rem;margin:0 0 1rem;padding:0;list-style:none}
.tabs a{display:block;padding:.4rem .8rem;border:1px solid var(--line);border-radius:.4rem;background:#fff;text-decoration:none}
.tabs a[aria-current=page]{background:var(--accent);color:#fff;border-color:var(--accent)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600}
td code{font-size:.85rem;white-space:nowrap}p code{font-size:.85rem;word-break:break-all}td{white-space:nowrap}td:last-child,th{white-space:normal}
.muted{color:var(--muted);font-size:.9rem}
.empty{color:var(--muted);padding:1rem;text-align:center;background:#fff;border:1px dashed var(--line);border-radius:.5rem}
form.inline{display:inline}
.row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end}
label{display:block;font-weight:600;font-size:.9rem;margin-bottom:.2rem}
input,select{font:inherit;padding:.45rem .55rem;border:1px solid #9aa5b5;border-radius:.35rem;min-width:0;max-width:100%;background:#fff}
.field{margin:0 0 .8rem}
button,.button{font:inherit;padding:.45rem 1rem;border-radius:.35rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger,.button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
button:disabled{opacity:.55;cursor:not-allowed}
.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;border:1px solid currentColor}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--danger)}.badge.neutral{color:var(--muted)}
.alert{border-left:4px solid var(--danger);background:#fdecea;padding:.7rem 1rem;margin:0 0 1rem}
.notice{border-left:4px solid var(--ok);background:#e7f5ec;padding:.7rem 1rem;margin:0 0 1rem}
.secret{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;background:#fff8e1;border:1px solid #e0c36a;padding:.7rem;border-radius:.4rem}
.secret code{font-size:.95rem;word-break:break-all;flex:1 1 20rem}
pre{background:#0f1729;color:#e6ecff;padding:.8rem;border-radius:.4rem;overflow-x:auto;font-size:.85rem}
.signin{max-width:26rem;margin:3rem auto}
.chart{width:100%;height:10rem}
.qr svg{width:12rem;height:12rem;display:block;margin:.5rem 0}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.8rem}
.stat strong{display:block;font-size:1.4rem}
.clip{display:inline-block;max-width:min(22rem,70vw);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}.clip.short{max-width:min(11rem,60vw)}
.wrap{white-space:normal;overflow-wrap:anywhere;display:inline-block;min-width:6rem}
fieldset{border:1px solid var(--line);border-radius:.35rem;margin:0 0 .8rem}
.checks label{display:inline-block;font-weight:400;margin:0 1rem .3rem 0}
`;

/** The one script: copy buttons next to secrets and snippets. */
export const CONSOLE_SCRIPT = `document.querySelectorAll("[data-copy]").forEach(function(b){b.addEventListener("click",function(){var t=document.getElementById(b.getAttribute("data-copy"));if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent).then(function(){b.textContent="Copied"})}})})`;

/** A duration in words: "7 days", "36 hours", "15 minutes". */
export function duration(seconds: number): string {
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds >= 2 * 3600) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}

export const when = (ms: number | string | null) => {
  if (ms === null) return "—";
  const date = typeof ms === "number" ? new Date(ms) : new Date(ms);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
};

/** A moment to the second, for a timeline where minutes are too coarse. */
export const instant = (ms: number) =>
  `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** An audit entry's detail (JSON) in words: `key: value, …`; empty when there is none. */
export function detailText(detail: string | Record<string, unknown> | null): string {
  if (!detail) return "";
  const parsed =
    typeof detail === "string" ? (JSON.parse(detail) as Record<string, unknown>) : detail;
  return Object.entries(parsed)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** The navigation for the signed-in person: operators see the platform, partners their own. */
function navigation(session: ConsoleSession, active: string): Html {
  const link = (href: string, label: string) =>
    html`<a href="${href}"${active === href ? html` aria-current="page"` : ""}>${label}</a>`;
  const { viewer } = session;
  const account = link("/console/account", "Account");
  const items =
    viewer.kind === "operator"
      ? [
          link("/console", "Overview"),
          link("/console/partners", "Partners"),
          link("/console/apps", "Apps"),
          link("/console/groups", "Sign-in groups"),
          link("/console/webhooks", "Webhooks"),
          link("/console/keys", "Keys"),
          link("/console/audit", "Audit log"),
          account,
        ]
      : [
          link("/console", "Overview"),
          link(`/console/partners/${viewer.partnerId}/tokens`, "Token Management"),
          link(`/console/partners/${viewer.partnerId}/activity`, "Activity"),
          link(`/console/partners/${viewer.partnerId}/webhooks`, "Webhooks"),
          link(`/console/partners/${viewer.partnerId}/callbacks`, "Call-backs"),
          link(`/console/partners/${viewer.partnerId}/integration`, "Integration"),
          account,
        ];
  return html`<header><a class="brand" href="/console">Handoff console</a><nav aria-label="Main">${items}</nav><span class="who">${viewer.name} · ${viewer.role}</span><form method="post" action="/console/sign-out">${csrfField(session)}<button class="secondary" type="submit">Sign out</button></form></header>`;
}

export function csrfField(session: ConsoleSession): Html {
  return html`<input type="hidden" name="csrf" value="${session.csrf}">`;
}

export interface ConsolePage {
  title: string;
  body: Html;
  status?: number;
  /** The navigation entry to mark as the current page. */
  active?: string;
}

/** The whole page for a signed-in person (or the sign-in page when `session` is null). */
export function layout(session: ConsoleSession | null, page: ConsolePage): Html {
  const top = session
    ? navigation(session, page.active ?? "")
    : html`<header><span class="brand">Handoff console</span></header>`;
  return html`<a class="skip" href="#main">Skip to content</a>${top}<main id="main">${page.body}</main>`;
}

/** A table, or an empty state in words when there are no rows. */
export function table(headers: string[], rows: Html[][], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  // A wide table scrolls on a narrow screen; keyboard users reach the scroll area too.
  const label = `Table of ${headers.filter(Boolean).join(", ").toLowerCase()}`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${label}"><table><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table></div>`;
}

/** A secret shown once, with a copy button and the warning that it will not be shown again. */
export function shownOnce(label: string, value: string): Html {
  return html`<div class="notice" role="status"><p><strong>${label}</strong>: copy it now. It is shown once and cannot be shown again; if it is lost, make a new one.</p><div class="secret"><code id="secret-value">${value}</code><button type="button" data-copy="secret-value">Copy</button></div></div>`;
}

/**
 * A long value (a URL, an error) cut to one line, whole in its title and to screen readers;
 * `short` for a table with many columns.
 */
export function clipped(value: string, short = false): Html {
  return html`<span class="clip${short ? " short" : ""}" title="${value}">${value}</span>`;
}

export function badge(status: string): Html {
  const kind = ["active", "redeemed", "ok", "live", "delivered"].includes(status)
    ? "ok"
    : ["issued", "pending"].includes(status)
      ? "neutral"
      : "bad";
  return html`<span class="badge ${kind}">${status}</span>`;
}

export function alert(message: string): Html {
  return html`<div class="alert" role="alert">${message}</div>`;
}

/**
 * A small bar chart of redemptions per hour (ok above, failed in red), as inline SVG: no script,
 * and a text summary for screen readers.
 */
export function redemptionChart(buckets: { ok: number; failed: number }[]): Html {
  const max = Math.max(1, ...buckets.map((b) => b.ok + b.failed));
  const width = 12;
  const bars = buckets.map((b, i) => {
    const okHeight = (b.ok / max) * 100;
    const failedHeight = (b.failed / max) * 100;
    return html`<rect x="${i * width + 1}" y="${100 - okHeight - failedHeight}" width="${width - 2}" height="${okHeight}" fill="#1f4fc2"></rect><rect x="${i * width + 1}" y="${100 - failedHeight}" width="${width - 2}" height="${failedHeight}" fill="#b3261e"></rect>`;
  });
  const ok = buckets.reduce((n, b) => n + b.ok, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  return html`<figure class="card"><svg class="chart" viewBox="0 0 ${buckets.length * width} 100" preserveAspectRatio="none" role="img" aria-label="Redemptions per hour over the last ${buckets.length} hours: ${ok} signed in, ${failed} failed">${bars}</svg><figcaption class="muted">Login links used per hour, last ${buckets.length} hours: <strong>${ok}</strong> signed in (blue), <strong>${failed}</strong> failed (red).</figcaption></figure>`;
}
