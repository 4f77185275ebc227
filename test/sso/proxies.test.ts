// The forward-auth configs of docs/sso.md, run as written there with the real nginx and Caddy
// from Debian: a session's X-Handoff-* headers reach the app, a browser's forged ones never do
// (under any spelling, also for a WSGI app that folds `X_Handoff_Email` into X-Handoff-Email),
// and a request without a session for this app never reaches the app at all.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../src/config.js";
import { loginUrl } from "../../src/tickets/service.js";
import { buildApp, domainsOf } from "../helpers/app.js";
import { freePort, waitForPort } from "../helpers/net.js";

const NGINX = process.env.HANDOFF_NGINX ?? "/usr/sbin/nginx";
const CADDY = process.env.HANDOFF_CADDY ?? "/usr/bin/caddy";
/** Debian's headers-more module for nginx (libnginx-mod-http-headers-more-filter), which the docs' config needs. */
const HEADERS_MORE_SO = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so";
const HEADERS_MORE = existsSync(HEADERS_MORE_SO) ? `load_module ${HEADERS_MORE_SO};\n` : "";
/** In CI both must be there (.ci/run installs them); on a laptop without them, tests skip. */
const available = (files: string[]) => files.every(existsSync) || process.env.CI !== undefined;

/** The fenced block of docs/sso.md in `language`: the very text a reader copies. */
function documented(language: string): string {
  const doc = readFileSync(new URL("../../docs/sso.md", import.meta.url), "utf8");
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (!block) throw new Error(`docs/sso.md has no ${language} block`);
  return block;
}

/** Every header a browser could forge in the hope that the app believes it. */
const FORGED = {
  "x-handoff-user": "usr_forged",
  "x-handoff-external-id": "forged",
  "x-handoff-partner": "ptn_forged",
  "x-handoff-parent-partner": "ptn_forged_parent",
  "x-handoff-email": "forged@evil.example",
  "x-handoff-app": "app_forged",
  "x-handoff-anything-else": "forged",
};

/**
 * The same again with underscores, mixed separators and odd case, sent with these exact names:
 * WSGI, Rack and many frameworks read `X_Handoff_Email` as `X-Handoff-Email` (issue 29).
 */
const FORGED_SPELLINGS: [string, string][] = [
  ["X_Handoff_Email", "ceo@victim.example"],
  ["x_handoff_user", "usr_forged"],
  ["X-HANDOFF-PARTNER", "ptn_forged"],
  ["x-Handoff_App", "app_forged"],
  ["X_HANDOFF-Auth-Methods", "otp mfa"],
  ["x_handoff_made_up", "forged"],
];

/** What reached the app under any spelling of the prefix: `x-handoff-` or `x_handoff_`, any case. */
const handoffHeaders = (raw: string[]) => {
  const found: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (/^x[-_]handoff[-_]/.test(name)) found[name] = raw[i + 1] as string;
  }
  return found;
};

/**
 * An app in Python's standard WSGI server (wsgiref, in Debian's python3), which folds header names
 * as CGI does: `X_Handoff_Email` and `X-Handoff-Email` both become HTTP_X_HANDOFF_EMAIL, joined
 * by a comma when both arrive. It answers its HTTP_X_HANDOFF_* variables as header names.
 */
const WSGI_APP = `
import json, sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *args): pass
def app(environ, start_response):
    found = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_X_HANDOFF_")}
    body = json.dumps(found).encode()
    start_response("200 OK", [("content-type", "application/json"), ("content-length", str(len(body)))])
    return [body]
make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet).serve_forever()
`;
const PYTHON = process.env.HANDOFF_PYTHON ?? "/usr/bin/python3";

/** A GET with these header names exactly as written (fetch would lower-case them). */
function rawGet(
  port: number,
  path: string,
  headers: [string, string][],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const lines = headers.map(([name, value]) => `${name}: ${value}`).join("\r\n");
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines}\r\n\r\n`,
      );
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", ...rest] = answer.split("\r\n\r\n");
      const status = Number(head.split(" ")[1]);
      let body = rest.join("\r\n\r\n");
      // A chunked body (nginx, Caddy): one JSON chunk between its size line and the last chunk.
      if (/transfer-encoding: chunked/i.test(head)) body = body.split("\r\n")[1] ?? "";
      resolve({ status, body });
    });
  });
}

interface Proxy {
  name: string;
  binary: string;
  /** Files it needs (the binary, modules): without them, off CI, its tests skip. */
  requires: string[];
  /** The fence of its config in docs/sso.md. */
  language: string;
  /** Writes the config for a proxy on `port` into `dir`; returns the command line. */
  start(dir: string, port: number, upstreams: Upstreams): string[];
}

interface Upstreams {
  handoff: number;
  app: number;
  appId: string;
}

/** The documented text with its placeholders (hosts, app id) pointed at this test's servers. */
function fill(text: string, u: Upstreams): string {
  return text
    .replaceAll("handoff:8080", `127.0.0.1:${u.handoff}`)
    .replaceAll("app:3000", `127.0.0.1:${u.app}`)
    .replaceAll("app_…", u.appId);
}

const proxies: Proxy[] = [
  {
    name: "nginx",
    binary: NGINX,
    requires: [NGINX, HEADERS_MORE_SO],
    language: "nginx",
    start(dir, port, u) {
      const conf = join(dir, "nginx.conf");
      writeFileSync(
        conf,
        `${HEADERS_MORE}pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
${fill(documented(this.language), u)}
  }
}
`,
      );
      return [NGINX, "-p", dir, "-e", `${dir}/error.log`, "-c", conf, "-g", "daemon off;"];
    },
  },
  {
    name: "Caddy",
    binary: CADDY,
    requires: [CADDY],
    language: "caddy",
    start(dir, port, u) {
      const conf = join(dir, "Caddyfile");
      const site = fill(documented(this.language), u).replace(
        /^shop\.example \{/m,
        `http://127.0.0.1:${port} {`,
      );
      writeFileSync(conf, `{\n\tadmin off\n\tauto_https off\n}\n${site}`);
      return [CADDY, "run", "--config", conf, "--adapter", "caddyfile"];
    },
  },
];

describe.each(proxies)("the documented $name forward-auth config", (proxy) => {
  const skip = !available(proxy.requires);
  let handoff: FastifyInstance;
  let app: Server;
  let child: ChildProcess;
  let dir: string;
  let base: string;
  let appId: string;
  let otherAppId: string;
  let partnerId: string;
  let subAccountId: string;
  /** What reached the app: one entry per request, its X-Handoff-* headers. */
  const seen: Record<string, unknown>[] = [];
  let output = "";
  let proxyPort = 0;

  beforeAll(async () => {
    if (skip) return;
    proxyPort = await freePort();
    const handoffPort = await freePort();
    const appPort = await freePort();
    base = `http://127.0.0.1:${proxyPort}`;
    // HANDOFF_BASE_URL is the proxy's origin, as the docs require.
    handoff = await buildApp(testConfig({ baseUrl: base, port: handoffPort }));
    await handoff.listen({ port: handoffPort, host: "127.0.0.1" });
    app = createServer((req, res) => {
      seen.push(handoffHeaders(req.rawHeaders));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(handoffHeaders(req.rawHeaders)));
    });
    await new Promise<void>((resolve) => app.listen(appPort, "127.0.0.1", resolve));
    ({ id: appId } = await domainsOf(handoff).apps.create({ name: "Shop", baseUrl: base }));
    ({ id: otherAppId } = await domainsOf(handoff).apps.create({
      name: "Other",
      baseUrl: `${base}/other`,
    }));
    ({
      partner: { id: partnerId },
    } = await domainsOf(handoff).partners.create({ name: "Partner" }));
    ({
      partner: { id: subAccountId },
    } = await domainsOf(handoff).partners.create({ name: "Sub" }));
    await domainsOf(handoff).partners.link(partnerId, subAccountId);

    handoffPort_ = handoffPort;
    dir = mkdtempSync(join(tmpdir(), `handoff-${proxy.name.toLowerCase()}-`));
    child = await startProxy(dir, proxyPort, appPort);
  }, 60_000);

  let handoffPort_ = 0;
  /** The proxy, configured as documented, in front of the app on `appPort`. */
  async function startProxy(at: string, port: number, appPort: number): Promise<ChildProcess> {
    // nginx's workers run as nobody when the master is root; they must reach the temp paths.
    chmodSync(at, 0o755);
    const [command, ...args] = proxy.start(at, port, {
      handoff: handoffPort_,
      app: appPort,
      appId,
    });
    const started = spawn(command as string, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, XDG_DATA_HOME: at, XDG_CONFIG_HOME: at, HOME: at },
    });
    started.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    started.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    await waitForPort(port, started, () => {
      const errors = join(at, "error.log");
      return output + (existsSync(errors) ? readFileSync(errors, "utf8") : "");
    });
    return started;
  }

  async function stop(process_: ChildProcess | undefined): Promise<void> {
    if (!process_ || process_.exitCode !== null || process_.signalCode !== null) return;
    const exited = new Promise((resolve) => process_.once("exit", resolve));
    process_.kill("SIGTERM");
    await exited;
  }

  afterAll(async () => {
    if (skip) return;
    await stop(child);
    await new Promise((resolve) => app?.close(resolve));
    await handoff?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A person follows a login link through the proxy; returns their session cookie. */
  async function signIn(
    user: Record<string, unknown>,
    options: { app?: string; onBehalfOf?: string } = {},
  ): Promise<string> {
    const minted = await domainsOf(handoff).tickets.mint({
      partnerId,
      apiTokenId: null,
      user: user as { id: string },
      appId: options.app ?? appId,
      onBehalfOf: options.onBehalfOf,
      ip: "127.0.0.1",
    });
    const link = loginUrl(base, minted.ticket);
    expect(link.startsWith(`${base}/login/`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const landed = await fetch(link, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base, "sec-fetch-site": "same-origin" },
    });
    expect(landed.status).toBe(303);
    const cookie = landed.headers.getSetCookie().find((c) => c.startsWith("handoff_session="));
    if (!cookie) throw new Error("no session cookie");
    return cookie.split(";")[0] as string;
  }

  const get = (path: string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { headers, redirect: "manual" });

  it.skipIf(skip)("passes a live session's headers to the app, never the browser's", async () => {
    const cookie = await signIn({ id: "u-1", email: "ada@example.com" });
    const response = await get("/orders/7", { cookie, ...FORGED });
    expect(response.status).toBe(200);
    const [session] = await domainsOf(handoff)
      .database.read.selectFrom("sessions")
      .select(["id", "user_id"])
      .orderBy("created_at", "desc")
      .execute();
    expect(await response.json()).toEqual({
      "x-handoff-user": session?.user_id,
      "x-handoff-external-id": "u-1",
      "x-handoff-partner": partnerId,
      "x-handoff-email": "ada@example.com",
      "x-handoff-app": appId,
      "x-handoff-auth-methods": "link",
    });
  });

  it.skipIf(skip)(
    "drops forged headers spelled with underscores, mixed separators or any case",
    async () => {
      const cookie = await signIn({ id: "u-spell" });
      const { status, body } = await rawGet(proxyPort, "/orders/8", [
        ["Cookie", cookie],
        ...FORGED_SPELLINGS,
      ]);
      expect(status).toBe(200);
      const reached = JSON.parse(body) as Record<string, string>;
      expect(Object.keys(reached).sort()).toEqual([
        "x-handoff-app",
        "x-handoff-auth-methods",
        "x-handoff-external-id",
        "x-handoff-partner",
        "x-handoff-user",
      ]);
      expect(reached).toMatchObject({
        "x-handoff-external-id": "u-spell",
        "x-handoff-partner": partnerId,
        "x-handoff-app": appId,
        "x-handoff-auth-methods": "link",
      });
    },
  );

  it.skipIf(skip || !available([PYTHON]))(
    "gives a WSGI app that folds underscores only Handoff's values (Python's wsgiref)",
    async () => {
      const wsgiPort = await freePort();
      const wsgi = spawn(PYTHON, ["-c", WSGI_APP, String(wsgiPort)], { stdio: "pipe" });
      let wsgiLog = "";
      wsgi.stderr?.on("data", (chunk) => {
        wsgiLog += chunk;
      });
      const at = mkdtempSync(join(tmpdir(), `handoff-${proxy.name.toLowerCase()}-wsgi-`));
      let front: ChildProcess | undefined;
      try {
        await waitForPort(wsgiPort, wsgi, () => wsgiLog);
        const port = await freePort();
        front = await startProxy(at, port, wsgiPort);
        const cookie = await signIn({ id: "u-wsgi", email: "ada@example.com" });
        const { status, body } = await rawGet(port, "/orders/9", [
          ["Cookie", cookie],
          ...FORGED_SPELLINGS,
          ["X-Handoff-Email", "forged@evil.example"],
        ]);
        expect(status).toBe(200);
        const environ = JSON.parse(body) as Record<string, string>;
        // Had one forged spelling passed, its value would sit here, alone or after a comma.
        expect(environ).toEqual({
          "x-handoff-user": expect.stringMatching(/^usr_/),
          "x-handoff-external-id": "u-wsgi",
          "x-handoff-partner": partnerId,
          "x-handoff-email": "ada@example.com",
          "x-handoff-app": appId,
          "x-handoff-auth-methods": "link",
        });
      } finally {
        await stop(front);
        await stop(wsgi);
        rmSync(at, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it.skipIf(skip)(
    "drops a forged email or parent partner when Handoff sends none, and passes a sub-account's",
    async () => {
      const noEmail = await signIn({ id: "u-2" });
      const plain = await (await get("/", { cookie: noEmail, ...FORGED })).json();
      expect(plain).not.toHaveProperty("x-handoff-email");
      expect(plain).not.toHaveProperty("x-handoff-parent-partner");
      expect(plain).toMatchObject({ "x-handoff-external-id": "u-2", "x-handoff-app": appId });

      const sub = await signIn({ id: "u-3" }, { onBehalfOf: subAccountId });
      expect(await (await get("/", { cookie: sub, ...FORGED })).json()).toMatchObject({
        "x-handoff-partner": subAccountId,
        "x-handoff-parent-partner": partnerId,
        "x-handoff-external-id": "u-3",
      });
    },
  );

  it.skipIf(skip)("never lets a request without a session for this app reach the app", async () => {
    const before = seen.length;
    const anonymous = await get("/", FORGED);
    expect(anonymous.status).toBe(401);
    const elsewhere = await signIn({ id: "u-4" }, { app: otherAppId });
    const wrongApp = await get("/", { cookie: elsewhere, ...FORGED });
    expect(wrongApp.status).toBe(403);
    const forgedCookie = await get("/", { cookie: "handoff_session=hss_forged", ...FORGED });
    expect(forgedCookie.status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it.skipIf(skip)("sets every header forward-auth can send", async () => {
    // The config names each X-Handoff-* header; a header Handoff adds must be added there too.
    const sub = await signIn({ id: "u-5", email: "b@example.com" }, { onBehalfOf: subAccountId });
    const verify = await handoff.inject({
      method: "GET",
      url: `/v1/session/verify?app=${appId}`,
      headers: { cookie: sub },
    });
    expect(verify.statusCode).toBe(200);
    const sent = Object.keys(verify.headers)
      .filter((name) => name.startsWith("x-handoff-"))
      .sort();
    const configured = [
      ...new Set(
        [...documented(proxy.language).matchAll(/X-Handoff-[\w-]+/g)]
          .map((m) => m[0].toLowerCase())
          .filter((name) => !name.endsWith("-")),
      ),
    ].sort();
    expect(configured).toEqual(sent);
  });

  it.skipIf(skip)(
    "keeps a live session working while the proxy's one address sends 1 000 forged cookies (issue 26)",
    async () => {
      const cookie = await signIn({ id: "u-forged-flood" });
      const before = seen.length;
      const value = cookie.slice("handoff_session=".length);
      for (let round = 0; round < 100; round++) {
        // Ten forged cookies (a guessed secret on a real id, and garbage), all from the proxy.
        const forged = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            get("/orders/1", {
              cookie: `handoff_session=${i % 2 ? "hss_garbage" : `${value.slice(0, -4)}${String(round).padStart(4, "A")}`}`,
            }),
          ),
        );
        expect(forged.every((r) => r.status !== 200)).toBe(true);
        if (round % 25 === 0) expect((await get("/orders/1", { cookie })).status).toBe(200);
      }
      expect((await get("/orders/1", { cookie })).status).toBe(200);
      // Only the live session's requests reached the app.
      expect(seen.length - before).toBe(5);
    },
    60_000,
  );
});
