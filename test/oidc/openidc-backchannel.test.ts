// OIDC Back-Channel Logout 1.0 with a relying party Handoff shares no code with: Debian's Apache
// with mod_auth_openidc (server-side sessions in shared memory), registered as a client with its
// own back-channel endpoint (`<redirect URI>?logout=backchannel`). A person redeems a login link,
// lands at Apache, which signs them in through /oidc/auth without a page; the page behind it
// answers 200. They sign out at Handoff; the worker's Logout Token is accepted by
// mod_auth_openidc (200), which drops the session its `sid` names: the same Apache cookie now
// gets a redirect to Handoff instead of the page.
import { get as httpGet } from "node:http";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { testConfig } from "../../src/config.js";
import type { Database } from "../../src/db/database.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf, makePartner, sqliteTestDatabase } from "../helpers/app.js";
import { CookieJar } from "../helpers/jar.js";
import { freePort } from "../helpers/net.js";
import {
  OPENIDC_COOKIE,
  type Openidc,
  openidcAvailable,
  openidcPort,
  startOpenidc,
} from "../helpers/openidc.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a browser's top-level navigation says of itself. mod_auth_openidc redirects to the provider
 * only a request that may be a navigation (oidc_is_auth_capable_request): it answers one whose
 * Sec-Fetch-Mode is not `navigate`, or that accepts no HTML, 401. Node's fetch always says
 * `Sec-Fetch-Mode: cors`, whatever the caller sets, so navigations go out through node:http.
 */
const NAVIGATION = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "sec-fetch-site": "none",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
};

/** A GET as a browser navigates, with the jar's cookies; what it sets goes into the jar. */
function navigationGet(jar: CookieJar, url: string): Promise<Response> {
  const cookie = jar.header(url);
  return new Promise((resolve, reject) => {
    const request = httpGet(
      url,
      { headers: { ...NAVIGATION, ...(cookie ? { cookie } : {}) } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", reject);
        answer.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(answer.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? ""]) {
              headers.append(name, one);
            }
          }
          const status = answer.statusCode ?? 0;
          // A Response with status 204 or 304 may have no body, not even an empty one.
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          const response = new Response(body, { status, headers });
          jar.capture(response);
          resolve(response);
        });
      },
    );
    request.on("error", reject);
    request.setTimeout(15_000, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}

describe.skipIf(!openidcAvailable)("mod_auth_openidc hearing of a logout by back channel", () => {
  let app: FastifyInstance;
  let database: Database;
  let openidc: Openidc;
  let base: string;
  let appId: string;
  let link: string;
  let userId: string;
  /** The ID token's sid, as mod_auth_openidc shows it. */
  let sid: string;
  /** The person's browser: one jar, as cookies are kept per host, not per port. */
  const jar = new CookieJar();
  /** Every hop the browser made, with its answer's status. */
  const hops: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    database = await sqliteTestDatabase();
    app = await buildApp(testConfig({ baseUrl: base, port, outboundAllow: ["127.0.0.1/32"] }), {
      database,
    });
    await app.listen({ port, host: "127.0.0.1" });
    const rp = await openidcPort();
    const { apps, tickets } = domainsOf(app);
    const registered = await apps.create({
      name: "Portal",
      baseUrl: rp.base,
      returnPaths: ["/protected/"],
      redirectUris: [rp.redirectUri],
      backchannelLogoutUri: rp.backchannelLogoutUri,
    });
    appId = registered.id;
    const secret = await apps.rotateSecret(appId);
    openidc = await startOpenidc(rp.port, {
      metadataUrl: `${base}/oidc/.well-known/openid-configuration`,
      clientId: appId,
      clientSecret: secret,
    });
    const partner = await makePartner(app);
    const minted = await tickets.mint({
      partnerId: partner.partnerId,
      apiTokenId: partner.apiTokenId,
      user: { id: "u-1815", email: "ada@example.com", name: "Ada Lovelace" },
      appId,
      returnTo: "/protected/",
      ip: "127.0.0.1",
    });
    userId = minted.userId;
    link = loginUrl(base, minted.ticket);
  }, 60_000);

  afterAll(async () => {
    // Apache is stopped whatever else fails.
    try {
      await openidc?.stop();
    } finally {
      try {
        await app?.close();
      } finally {
        await database?.close();
      }
    }
  });

  function explainFailure(): void {
    onTestFailed(() => {
      console.error(`--- the browser's hops\n${hops.join("\n")}`);
      console.error(openidc.logs());
    });
  }

  /** A top-level navigation: follows redirects wherever they go, as a browser does. */
  async function navigate(url: string, limit = 12): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let i = 0; i < limit; i++) {
      const response = await navigationGet(jar, current);
      hops.push(`GET ${current} → ${response.status}`);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) {
        return { response, url: current };
      }
      current = new URL(location, current).href;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** The protected page's view of the person. */
  function shown(page: string): Record<string, string | undefined> {
    const field = (id: string) => new RegExp(`<dd id="${id}">([^<]*)</dd>`).exec(page)?.[1];
    return { user: field("user"), email: field("email"), name: field("name"), sid: field("sid") };
  }

  /** Apache's answer to the person's next request of the page, redirects not followed. */
  async function pageAgain(): Promise<Response> {
    const response = await navigationGet(jar, openidc.page);
    hops.push(`GET ${openidc.page} → ${response.status}`);
    return response;
  }

  it("advertises what mod_auth_openidc needs for back-channel logout", async () => {
    const discovery = await (await fetch(`${base}/oidc/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      issuer: `${base}/oidc`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it("signs the person in to Apache from the login link, through the Handoff session", async () => {
    explainFailure();
    const opened = await navigationGet(jar, link);
    expect(opened.status).toBe(200);
    const redeemed = await jar.fetch(link, { method: "POST" });
    hops.push(`POST ${link} → ${redeemed.status}`);
    expect(redeemed.status).toBe(303);
    expect(redeemed.headers.get("location")).toBe(openidc.page);
    const { response, url } = await navigate(openidc.page);
    expect(url).toBe(openidc.page);
    expect(response.status).toBe(200);
    const seen = shown(await response.text());
    expect(seen).toEqual({
      user: userId,
      email: "ada@example.com",
      name: "Ada Lovelace",
      sid: expect.any(String),
    });
    // The ID token carried a sid (backchannel_logout_session_required): Apache keys its session
    // to it, and a logout token must name the same.
    sid = seen.sid as string;
    expect(sid).not.toBe("");
    // Apache sent the person to Handoff's /oidc/auth and got a code back at its redirect URI.
    expect(hops.some((hop) => hop.startsWith(`GET ${base}/oidc/auth?`))).toBe(true);
    expect(hops.some((hop) => hop.startsWith(`GET ${openidc.redirectUri}?code=`))).toBe(true);
    expect(jar.get(OPENIDC_COOKIE)).toEqual(expect.any(String));

    // The negative control: the same Apache cookie keeps the person signed in.
    const again = await pageAgain();
    expect(again.status).toBe(200);
    expect(shown(await again.text()).user).toBe(userId);
  }, 60_000);

  it("ends Apache's session when the Handoff session ends, by a Logout Token it accepts", async () => {
    explainFailure();
    const apacheSession = jar.get(OPENIDC_COOKIE);
    const out = await jar.fetch(`${base}/logout`, { method: "POST" });
    hops.push(`POST ${base}/logout → ${out.status}`);
    expect(out.status).toBe(200);

    // The worker's step (the background worker runs it too), until the delivery is finished.
    const deliveries = () =>
      database.read
        .selectFrom("oidc_logout_deliveries")
        .select(["client_id", "sub", "sid", "state", "attempts", "last_status", "last_error"])
        .execute();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await domainsOf(app).backchannel.deliver(app.log);
      if ((await deliveries()).every((row) => row.state !== "pending")) break;
      await sleep(50);
    }
    expect(await deliveries()).toEqual([
      {
        client_id: appId,
        sub: userId,
        sid,
        state: "delivered",
        attempts: 1,
        last_status: 200,
        last_error: null,
      },
    ]);
    // mod_auth_openidc answers 200 even for a sid it has no session for: it found this one (and
    // revoked the session's access token at Handoff's revocation endpoint on the way).
    const log = openidc.errorLog();
    expect(log).toContain(`oidc_cleanup_by_sid: enter (sid=${sid},`);
    expect(log).not.toContain("could not (or no longer) find a session");

    // The same cookie no longer opens the page: Apache sends the person to Handoff again ...
    expect(jar.get(OPENIDC_COOKIE)).toBe(apacheSession);
    const after = await pageAgain();
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(new RegExp(`^${base}/oidc/auth\\?`));
    // ... where no session signs them in: Handoff's page asking them to open the app from their
    // partner's site.
    const { response, url } = await navigate(after.headers.get("location") as string);
    expect(url.startsWith(`${base}/oidc/`)).toBe(true);
    expect(response.status).toBe(401);
  }, 60_000);
});
