// examples/storefront: a small web app that signs people in through Handoff with OpenID Connect
// (openid-client, authorization code flow with PKCE) and greets them with their name and partner.
// It knows nothing Handoff-specific: issuer, client id, client secret and redirect URI are all.
//
//   npm run storefront        # the demo's client from $HANDOFF_DATA_DIR/demo-credentials.json
//
// STOREFRONT_CREDENTIALS names another credentials file; STOREFRONT_PORT another port than the
// registered redirect URI's (the app's URL and redirect URIs must then be updated to match: the
// storefront prints the `handoff app update` command).
//
// A Handoff login link for the storefront app lands here; with no storefront session yet, the
// storefront sends the browser to Handoff's /oidc/auth, where the Handoff session the link just
// made signs the person in without a page.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import * as client from "openid-client";
import { checkoutBody, escapeHtml, orderPlacedBody } from "./checkout.js";

export interface StorefrontOptions {
  /** Handoff's OIDC issuer, e.g. http://127.0.0.1:8080/oidc */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where Handoff sends codes: this server's /callback. */
  redirectUri: string;
}

interface Visitor {
  pending?: { verifier: string; state: string; nonce: string };
  user?: { claims: Record<string, unknown>; idToken: string };
}

const COOKIE = "storefront";

/** One small stylesheet, inline and allowed by its hash (the CSP allows nothing else). */
const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2430;line-height:1.5;background:#f6f7f9}main{background:#fff;border:1px solid #dde1e7;border-radius:.6rem;padding:1.5rem 2rem}h1{font-size:1.4rem;margin-top:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1.2rem}dt{font-weight:600;color:#5b6575}dd{margin:0}button{font:inherit;padding:.5rem 1.2rem;border-radius:.4rem;border:1px solid #345;background:#2a5bd7;color:#fff;cursor:pointer}.muted{color:#5b6575}`;
const STYLE_HASH = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/** What each `amr` value Handoff asserts means to the person (docs/oidc.md, Claims). */
const AMR_TEXT: Record<string, string> = {
  link: "a login link from your partner's site",
  otp: "a one-time code",
};

/** How the person signed in, in words: "a login link from your partner's site and a one-time code". */
export function signedInWith(amr: unknown): string {
  const values = Array.isArray(amr) ? amr.map(String) : [];
  // "mfa" sums the others up (more than one factor): said once, after them.
  const methods = values.filter((value) => value !== "mfa");
  if (methods.length === 0) return "Handoff";
  const words = methods.map((value) => AMR_TEXT[value] ?? value).join(" and ");
  return values.includes("mfa") ? `${words} (two factors)` : words;
}

/** A page of the storefront: its status, headers and HTML. */
export function renderPage(
  status: number,
  title: string,
  body: string,
  formTarget = "",
): { status: number; headers: Record<string, string>; html: string } {
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      // The sign-out form posts here, then follows a redirect to Handoff: both are allowed.
      "content-security-policy": `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self' ${formTarget}; base-uri 'none'`,
      "cache-control": "no-store",
    },
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`,
  };
}

/** The signed-in page: who the person is, for which partner, and how they signed in. */
export function welcomeBody(claims: Record<string, unknown>): string {
  const c = claims;
  return `<h1>Welcome to the storefront, <span id="name">${escapeHtml(c.name ?? c.email ?? c.sub)}</span></h1><dl><dt>Email</dt><dd id="email">${escapeHtml(c.email ?? "-")}</dd><dt>Partner</dt><dd id="partner">${escapeHtml(c.partner)}</dd>${c.sub_account ? `<dt>On behalf of</dt><dd id="sub-account">${escapeHtml(c.sub_account)}</dd>` : ""}<dt>Signed in with</dt><dd id="amr">${escapeHtml(signedInWith(c.amr))}</dd></dl><p><a id="checkout" href="/checkout">Go to checkout</a></p><form method="post" action="/logout"><button id="logout" type="submit">Sign out</button></form>`;
}

function page(
  res: ServerResponse,
  status: number,
  title: string,
  body: string,
  formTarget = "",
): void {
  const rendered = renderPage(status, title, body, formTarget);
  res.writeHead(rendered.status, rendered.headers);
  res.end(rendered.html);
}

/** A form's body, at most 16 KiB. */
async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error("the form is too large");
  }
  return body;
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(302, { location, ...(cookie ? { "set-cookie": cookie } : {}) });
  res.end();
}

/** Builds the storefront (not listening yet): discovery runs on the first request. */
export function createStorefront(options: StorefrontOptions): Server {
  const visitors = new Map<string, Visitor>();
  const redirectUri = new URL(options.redirectUri);
  const origin = redirectUri.origin;
  let config: Promise<client.Configuration> | null = null;
  const oidc = () => {
    config ??= client.discovery(
      new URL(options.issuer),
      options.clientId,
      undefined,
      client.ClientSecretBasic(options.clientSecret),
      // Plain http only when the issuer is on this machine (the demo); https everywhere else.
      ["127.0.0.1", "localhost", "[::1]"].includes(new URL(options.issuer).hostname)
        ? { execute: [client.allowInsecureRequests] }
        : undefined,
    );
    config.catch(() => {
      config = null;
    });
    return config;
  };

  const visitorOf = (req: IncomingMessage, res: ServerResponse): Visitor => {
    const id = /(?:^|;\s*)storefront=([A-Za-z0-9_-]{43})/.exec(req.headers.cookie ?? "")?.[1];
    const known = id ? visitors.get(id) : undefined;
    if (id && known) return known;
    return fresh(res, {});
  };

  /** A new visitor id for `visitor` (a new one at every sign-in: no fixation). */
  const fresh = (res: ServerResponse, visitor: Visitor): Visitor => {
    const id = randomBytes(32).toString("base64url");
    // An example's memory stays bounded: the oldest visitor goes first.
    if (visitors.size >= 10_000) visitors.delete(visitors.keys().next().value as string);
    visitors.set(id, visitor);
    res.setHeader(
      "set-cookie",
      `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${origin.startsWith("https:") ? "; Secure" : ""}`,
    );
    return visitor;
  };

  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", origin);
      if (url.pathname === "/favicon.ico") {
        res.writeHead(404).end();
        return;
      }
      const visitor = visitorOf(req, res);
      if (req.method === "GET" && url.pathname === redirectUri.pathname) {
        const pending = visitor.pending;
        if (url.searchParams.has("error") || !pending) {
          page(
            res,
            401,
            "Not signed in",
            `<h1>Not signed in</h1><p>${escapeHtml(url.searchParams.get("error_description") ?? url.searchParams.get("error") ?? "This sign-in was not started here.")}</p><p>Open the storefront from your partner's site.</p>`,
          );
          return;
        }
        delete visitor.pending;
        const tokens = await client.authorizationCodeGrant(await oidc(), url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        });
        for (const [id, v] of visitors) if (v === visitor) visitors.delete(id);
        fresh(res, { user: { claims: tokens.claims() ?? {}, idToken: tokens.id_token ?? "" } });
        redirect(res, "/");
        return;
      }
      if (req.method === "POST" && url.pathname === "/logout") {
        const idToken = visitor.user?.idToken;
        delete visitor.user;
        if (!idToken) {
          redirect(res, "/signed-out");
          return;
        }
        const end = client.buildEndSessionUrl(await oidc(), {
          id_token_hint: idToken,
          post_logout_redirect_uri: `${origin}/signed-out`,
        });
        res.writeHead(303, { location: end.href });
        res.end();
        return;
      }
      if (req.method === "GET" && url.pathname === "/signed-out") {
        page(res, 200, "Signed out", "<h1>You are signed out of the storefront</h1>");
        return;
      }
      if (url.pathname === "/checkout") {
        if (!visitor.user) {
          redirect(res, "/");
          return;
        }
        const claims = visitor.user.claims;
        if (req.method === "POST") {
          const form = new URLSearchParams(await bodyOf(req));
          page(res, 200, "Order placed", orderPlacedBody(form, claims));
        } else {
          page(res, 200, "Checkout", checkoutBody(claims));
        }
        return;
      }
      if (req.method === "GET" && url.pathname === "/") {
        if (visitor.user) {
          page(
            res,
            200,
            "Storefront",
            welcomeBody(visitor.user.claims),
            new URL(options.issuer).origin,
          );
          return;
        }
        // Not signed in here yet: ask Handoff (a live Handoff session answers without a page).
        const verifier = client.randomPKCECodeVerifier();
        const pending = { verifier, state: client.randomState(), nonce: client.randomNonce() };
        visitor.pending = pending;
        const authorize = client.buildAuthorizationUrl(await oidc(), {
          redirect_uri: redirectUri.href,
          scope: "openid email profile phone",
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state: pending.state,
          nonce: pending.nonce,
        });
        redirect(res, authorize.href);
        return;
      }
      page(res, 404, "Not found", "<h1>Not found</h1>");
    } catch (error) {
      const message = error instanceof Error ? error.message : "sign-in failed";
      page(res, 502, "Sign-in failed", `<h1>Sign-in failed</h1><p>${escapeHtml(message)}</p>`);
    }
  });
}

/** Where `npm run storefront` finds its client and where it listens, from the environment. */
export function storefrontSettings(env: NodeJS.ProcessEnv): { file: string; port: string | null } {
  return {
    file:
      env.STOREFRONT_CREDENTIALS || join(env.HANDOFF_DATA_DIR || "data", "demo-credentials.json"),
    port: env.STOREFRONT_PORT || null,
  };
}

/** `npm run storefront`: the demo's OIDC client from demo-credentials.json. */
async function main(): Promise<void> {
  const { file, port } = storefrontSettings(process.env);
  let demo: {
    base_url: string;
    oidc_client?: { client_id: string; client_secret: string; redirect_uri: string };
  };
  try {
    demo = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    process.stderr.write(
      `storefront: cannot read ${file}; run \`npm start\` once first (with the same HANDOFF_DATA_DIR), or set STOREFRONT_CREDENTIALS\n`,
    );
    process.exit(1);
  }
  if (!demo.oidc_client) {
    process.stderr.write(`storefront: ${file} has no oidc_client (an older demo?)\n`);
    process.exit(1);
  }
  const registered = new URL(demo.oidc_client.redirect_uri);
  const redirectUri = new URL(registered);
  if (port !== null) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      process.stderr.write(`storefront: STOREFRONT_PORT must be a port number, got "${port}"\n`);
      process.exit(1);
    }
    redirectUri.port = port;
  }
  const server = createStorefront({
    issuer: `${demo.base_url}/oidc`,
    clientId: demo.oidc_client.client_id,
    clientSecret: demo.oidc_client.client_secret,
    redirectUri: redirectUri.href,
  });
  server.on("error", (error: NodeJS.ErrnoException) => {
    process.stderr.write(
      error.code === "EADDRINUSE"
        ? `storefront: ${redirectUri.host} is in use; set STOREFRONT_PORT to another port\n`
        : `storefront: ${error.message}\n`,
    );
    process.exit(1);
  });
  server.listen(Number(redirectUri.port || 80), redirectUri.hostname, () => {
    process.stdout.write(`storefront listening on ${redirectUri.origin}\n`);
    if (redirectUri.href !== registered.href) {
      // Handoff sends people only to registered URLs: the app must know the new origin.
      const origin = redirectUri.origin;
      process.stdout.write(
        `Handoff knows the storefront at ${registered.origin}; register the new origin once:\n` +
          `  npm run handoff -- app update ${demo.oidc_client?.client_id} --url ${origin} ` +
          `--redirect-uri ${origin}/callback --post-logout-redirect-uri ${origin}/signed-out\n`,
      );
    }
  });
  process.on("SIGTERM", () => server.close());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
