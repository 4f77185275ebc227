// The storefront's checkout form, honouring the field settings a partner sent with the login link
// (seed 002's `tpd.email` and `tpd.phone`: `editable`, `hidden`, `support_alternate`), which
// Handoff releases in the ID token's `fields` claim (docs/oidc.md, Claims):
// - `hidden: true`: the field is not on the form at all;
// - `editable: false`: the field shows the partner's value, read-only;
// - `email.support_alternate: false`: no "another email" field (shown otherwise).
// What the form then does with an order is this example's business; it only echoes the contact.

interface FieldSetting {
  editable?: unknown;
  hidden?: unknown;
  support_alternate?: unknown;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (value: unknown) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function settingsOf(claims: Record<string, unknown>, name: "email" | "phone"): FieldSetting {
  const fields = claims.fields;
  if (typeof fields !== "object" || fields === null) return {};
  const setting = (fields as Record<string, unknown>)[name];
  return typeof setting === "object" && setting !== null ? (setting as FieldSetting) : {};
}

function field(name: string, label: string, type: string, value: unknown, setting: FieldSetting) {
  if (setting.hidden === true) return "";
  const locked = setting.editable === false;
  return `<p><label for="${name}">${label}${locked ? ' <span class="muted">(set by your partner)</span>' : ""}</label><br><input id="${name}" name="${name}" type="${type}" value="${escapeHtml(value)}"${locked ? " readonly" : ""}></p>`;
}

/** The checkout form for the signed-in person's claims. */
export function checkoutBody(claims: Record<string, unknown>): string {
  const email = settingsOf(claims, "email");
  const phone = settingsOf(claims, "phone");
  const alternate =
    email.support_alternate === false
      ? ""
      : '<p><label for="alternate_email">Another email for this order (optional)</label><br><input id="alternate_email" name="alternate_email" type="email"></p>';
  return `<h1>Checkout</h1><form method="post" action="/checkout">${field("email", "Email", "email", claims.email, email)}${alternate}${field("phone", "Phone", "tel", claims.phone_number, phone)}<button id="place-order" type="submit">Place order</button></form>`;
}

/** After the order: where the confirmation goes (an example: nothing is ordered). */
export function orderPlacedBody(form: URLSearchParams, claims: Record<string, unknown>): string {
  const email = settingsOf(claims, "email");
  // A read-only or hidden field keeps the partner's value, whatever the form says.
  const fixed = email.editable === false || email.hidden === true;
  const to = form.get("alternate_email") || (fixed ? claims.email : form.get("email")) || "-";
  return `<h1>Order placed</h1><p>The confirmation goes to <strong id="confirmation-to">${escapeHtml(to)}</strong>.</p><p><a href="/">Back to the storefront</a></p>`;
}
