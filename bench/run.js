// npm run bench: Handoff's routes against a bare Fastify route, in one run, on loopback.
// Each route's figure is a ratio to the baseline measured just before it, on the same machine:
// the machine is shared, and its speed drifts over minutes. Full-speed runs use autocannon (a closed
// loop: 50 connections, each sending its next request when the last is answered); the runs paced
// at each route's target rate use the open-loop client in open-loop.js.
//
// BENCH_DURATION (s per route, default 10), BENCH_WARMUP (s of unmeasured load before each run,
// default 3), BENCH_PACED (0 skips the runs paced at the targets), BENCH_CONNECTIONS (default 50),
// BENCH_LARGE_ROWS (default 1000000; 0 skips the large-database pass), BENCH_READY_CODES
// (authorization codes for the OIDC pass, default 800 per second of BENCH_DURATION).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { mintSecret, newId } from "../dist/crypto/secrets.js";
import { loadSqlite } from "../dist/db/sqlite-driver.js";
import { openLoop } from "./open-loop.js";

const SQLite = loadSqlite();

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 1_000_000);
/** Authorization codes made before the code-exchange pass (each is single use, 60 s). */
const READY_CODES = Number(process.env.BENCH_READY_CODES ?? 800 * DURATION);
/** Tickets ready for the redemption pass: more than the fastest redemption rate can use. */
const READY_TICKETS = Number(process.env.BENCH_READY_TICKETS ?? 12_000 * DURATION);
/** Seconds of load before each measured run, not counted: JIT compilation, caches, pools. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
/** BENCH_PACED=0 skips the runs paced at each route's target rate. */
const PACED = process.env.BENCH_PACED !== "0";
/** The issue's targets, as ratios of the baseline's requests per second. */
const TARGET = { exchange: 0.3, mint: 0.4, redeem: 0.25, verify: 0.7 };
/** The bare Fastify process, running for the whole run; see `measure`. */
let baselineUrl = "";

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child process and waits until it prints `marker`. */
function start(command, args, env, marker) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start`)), 60_000);
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      if (seen.includes(marker)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

function stop(child) {
  child.removeAllListeners("exit");
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** One run of the bare Fastify route: the yardstick for the route measured next. */
async function baselineNow() {
  const options = {
    connections: CONNECTIONS,
    url: baselineUrl,
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json" },
  };
  if (WARMUP > 0) await autocannon({ ...options, duration: WARMUP });
  const result = await autocannon({ ...options, duration: DURATION });
  return check("baseline", result, [200], 1);
}

/**
 * Measures the baseline, then the route (every response must have one of the `ok` statuses);
 * the route's ratio is to that baseline.
 */
async function measure(name, options, ok = [200], perOperation = 1, warm = true) {
  const base = await baselineNow();
  if (warm && WARMUP > 0)
    await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...options });
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return { ...check(name, result, ok, perOperation), base };
}

/**
 * The same operation offered at `ratio` of the baseline's rate (the issue's target for the route)
 * on an open-loop schedule over the same 50 connections, instead of as fast as the server
 * answers: whether Handoff keeps up with the target rate, and its latency while it does. At full
 * speed a closed loop of 50 connections queues by construction (mean latency = 50 / rate), so
 * that p99 measures the queue the bench builds; this one measures the service. See open-loop.js.
 */
async function paced(name, ratio, baseline, url, operation, ok = [200]) {
  if (!PACED) return [];
  const result = await openLoop({
    base: url,
    rate: ratio * baseline.rps,
    duration: DURATION,
    warmup: Math.min(WARMUP, 1),
    connections: CONNECTIONS,
    operation,
    ok,
  });
  const label = `  ${name}, paced at ${Math.round(ratio * 100)} % of baseline`;
  return [
    {
      name: label,
      rps: result.rps,
      p99: result.p99,
      base: baseline,
      offered: result.offered,
      unanswered: result.unanswered,
    },
  ];
}

function check(name, result, ok, perOperation) {
  const good = ok.reduce((sum, code) => sum + (result.statusCodeStats?.[code]?.count ?? 0), 0);
  const bad = result.requests.total - good + result.errors + result.timeouts;
  if (bad > 0) {
    throw new Error(
      `${name}: ${bad} failed of ${result.requests.total} (${JSON.stringify(result.statusCodeStats)})`,
    );
  }
  return { name, rps: result.requests.average / perOperation, p99: result.latency.p99 };
}

/** Inserts tickets whose secrets we keep, straight into the database, for the redemption pass. */
function readyTickets(file, demo, count) {
  const db = new SQLite(file);
  const now = Date.now();
  const user = db
    .prepare("select id from users where partner_id = ? order by created_at limit 1")
    .get(demo.partner.id);
  const insert = db.prepare(
    `insert into tickets (id, secret_hash, partner_id, account_id, api_token_id, user_id, app_id,
      return_to, bind_ip, fields, otp, partner_data_sealed, context, status, reason, created_at,
      expires_at, finished_at, session_id, last_failure, last_failure_at)
     values (?, ?, ?, ?, null, ?, ?, '/', null, null, 'none', null, null, 'issued', null, ?, ?,
      null, null, null, null)`,
  );
  const tokens = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const secret = mintSecret("hts");
      insert.run(
        secret.id,
        secret.hash,
        demo.partner.id,
        demo.partner.id,
        user.id,
        demo.app.id,
        now,
        now + 3600_000,
      );
      tokens.push(secret.token);
    }
  })();
  db.close();
  return tokens;
}

/** Fills the database with `rows` users and `rows` used tickets, as a busy year would. */
function seedLarge(file, demo, rows) {
  const db = new SQLite(file);
  db.pragma("journal_mode = WAL");
  const now = Date.now();
  const user = db.prepare(
    `insert into users (id, partner_id, external_id, email, email_canonical, phone_number,
      phone_country_code, name, created_at, updated_at) values (?, ?, ?, ?, ?, null, null, ?, ?, ?)`,
  );
  const ticket = db.prepare(
    `insert into tickets (id, secret_hash, partner_id, account_id, api_token_id, user_id, app_id,
      return_to, bind_ip, fields, otp, partner_data_sealed, context, status, reason, created_at,
      expires_at, finished_at, session_id, last_failure, last_failure_at)
     values (?, ?, ?, ?, null, ?, ?, '/', null, null, 'none', null, null, 'redeemed', null, ?, ?,
      ?, null, null, null)`,
  );
  const batch = 50_000;
  for (let start = 0; start < rows; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(rows, start + batch); i++) {
        const id = newId("usr");
        const email = `user${i}@seed.example`;
        user.run(id, demo.partner.id, `seed-${i}`, email, email, `Seed ${i}`, now, now);
        const secret = mintSecret("hts");
        ticket.run(
          secret.id,
          secret.hash,
          demo.partner.id,
          demo.partner.id,
          id,
          demo.app.id,
          now,
          now + 86_400_000,
          now,
        );
      }
    })();
  }
  db.close();
}

async function accessToken(base, demo) {
  const response = await fetch(`${base}/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      partner_token: demo.partner.partner_token,
      api_token: demo.partner.api_token,
    }),
  });
  return (await response.json()).access_token;
}

async function sessionCookie(base, token) {
  const response = await fetch(`${base}/login/${token}`, {
    method: "POST",
    redirect: "manual",
    headers: { "sec-fetch-site": "same-origin" },
  });
  const cookie = response.headers.get("set-cookie");
  if (response.status !== 303 || !cookie) throw new Error(`redemption failed: ${response.status}`);
  return cookie.split(";")[0];
}

/** Mint, redeem (GET + POST) and verify against a running Handoff; `pace` adds the paced runs. */
async function ssoRoutes(base, demo, tickets, label, pace) {
  const results = [];
  const token = await accessToken(base, demo);
  let userNumber = 0;
  const mintBody = () => {
    userNumber = (userNumber + 1) % 10_000;
    return JSON.stringify({
      user: { id: `bench-${userNumber}`, email: `bench${userNumber}@example.com` },
      app: demo.app.id,
    });
  };
  const mintHeaders = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const mint = {
    url: `${base}/v1/sso/tickets`,
    method: "POST",
    headers: mintHeaders,
    requests: [
      {
        setupRequest(request) {
          request.body = mintBody();
          return request;
        },
      },
    ],
  };
  const minted = await measure(`mint POST /v1/sso/tickets${label}`, mint, [201]);
  results.push(minted);
  if (pace) {
    const operation = () => [
      { method: "POST", path: "/v1/sso/tickets", headers: mintHeaders, body: mintBody() },
    ];
    results.push(...(await paced("mint", TARGET.mint, minted.base, base, operation, [201])));
  }
  let next = 0;
  const pairs = tickets.slice(1);
  const nextTicket = () => {
    const ticket = pairs[next++];
    if (!ticket) throw new Error("ran out of tickets: raise BENCH_READY_TICKETS");
    return ticket;
  };
  const sameOrigin = { "sec-fetch-site": "same-origin" };
  const redeem = {
    url: base,
    requests: [
      {
        method: "GET",
        setupRequest(request, context) {
          context.ticket = nextTicket();
          request.path = `/login/${context.ticket}`;
          return request;
        },
      },
      {
        method: "POST",
        headers: sameOrigin,
        setupRequest(request, context) {
          request.path = `/login/${context.ticket}`;
          return request;
        },
      },
    ],
  };
  const redeemed = await measure(`redeem GET+POST /login/{ticket}${label}`, redeem, [200, 303], 2);
  results.push(redeemed);
  if (pace) {
    const operation = () => {
      const path = `/login/${nextTicket()}`;
      return [
        { method: "GET", path },
        { method: "POST", path, headers: sameOrigin },
      ];
    };
    results.push(
      ...(await paced("redeem", TARGET.redeem, redeemed.base, base, operation, [200, 303])),
    );
  }
  const cookie = await sessionCookie(base, tickets[0]);
  const verify = { url: `${base}/v1/session/verify`, headers: { cookie } };
  const verified = await measure(`forward-auth GET /v1/session/verify${label}`, verify);
  results.push(verified);
  if (pace) {
    const operation = () => [{ method: "GET", path: "/v1/session/verify", headers: { cookie } }];
    results.push(...(await paced("verify", TARGET.verify, verified.base, base, operation)));
  }
  return results;
}

/** A cookie jar by name (paths ignored: every cookie goes everywhere on one origin). */
function jarOf() {
  const cookies = new Map();
  return {
    take(response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const eq = pair.indexOf("=");
        cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    },
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
  };
}

/**
 * The demo's OIDC client signs the demo user in once (login link, /oidc/auth, interaction), then
 * asks for `count` more codes on the same sessions: each a single /oidc/auth round trip.
 */
async function readyCodes(base, demo, count) {
  const oc = demo.oidc_client;
  const jar = jarOf();
  const ticket = oc.login_link.split("/login/")[1];
  const landed = await fetch(`${base}/login/${ticket}`, {
    method: "POST",
    redirect: "manual",
    headers: { "sec-fetch-site": "same-origin" },
  });
  jar.take(landed);
  const verifier = "bench-verifier-bench-verifier-bench-verifier-0123";
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const auth = new URL(`${base}/oidc/auth`);
  for (const [k, v] of Object.entries({
    client_id: oc.client_id,
    redirect_uri: oc.redirect_uri,
    response_type: "code",
    scope: "openid email profile",
    code_challenge: challenge,
    code_challenge_method: "S256",
  }))
    auth.searchParams.set(k, v);
  const codeFrom = async (url) => {
    let next = url;
    for (let hop = 0; hop < 6; hop++) {
      const response = await fetch(next, {
        redirect: "manual",
        headers: { cookie: jar.header() },
      });
      jar.take(response);
      const location = response.headers.get("location");
      if (!location) throw new Error(`no code: ${response.status} at ${next}`);
      const target = new URL(location, next);
      if (target.href.startsWith(oc.redirect_uri)) return target.searchParams.get("code");
      next = target.href;
    }
    throw new Error("too many redirects on the way to a code");
  };
  await codeFrom(auth.href);
  const codes = [];
  const worker = async () => {
    while (codes.length < count) codes.push(await codeFrom(auth.href));
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { codes: codes.slice(0, count), verifier };
}

/** Code exchange at Handoff, and oidc-provider's bare client-credentials grant beside it. */
async function oidcRoutes(base, demo) {
  const oc = demo.oidc_client;
  const results = [];
  const started = Date.now();
  const { codes, verifier } = await readyCodes(base, demo, READY_CODES);
  console.log(`${codes.length} codes ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let next = 0;
  results.push(
    await measure(
      "OIDC code exchange POST /oidc/token",
      {
        url: `${base}/oidc/token`,
        method: "POST",
        amount: codes.length,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${oc.client_id}:${oc.client_secret}`).toString("base64")}`,
        },
        requests: [
          {
            setupRequest(request) {
              request.body = new URLSearchParams({
                grant_type: "authorization_code",
                code: codes[next++],
                redirect_uri: oc.redirect_uri,
                code_verifier: verifier,
              }).toString();
              return request;
            },
          },
        ],
      },
      [200],
      1,
      false, // no warm-up: the codes are counted, each good once
    ),
  );
  const barePort = await freePort();
  const bare = await start("node", ["bench/oidc-bare.js", String(barePort)], {}, "ready");
  try {
    results.push(
      await measure("oidc-provider alone: client_credentials, memory", {
        url: `http://127.0.0.1:${barePort}/token`,
        method: "POST",
        body: "grant_type=client_credentials",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from("bench:bench-secret-bench-secret-bench-secret").toString("base64")}`,
        },
      }),
    );
  } finally {
    await stop(bare);
  }
  return results;
}

const baselinePort = await freePort();
const baseline = await start("node", ["bench/baseline.js", String(baselinePort)], {}, "ready");
baselineUrl = `http://127.0.0.1:${baselinePort}/baseline`;
const results = [];

const dataDir = mkdtempSync(join(tmpdir(), "handoff-bench-"));
const file = join(dataDir, "bench.db");
const env = {
  HANDOFF_DATA_DIR: dataDir,
  HANDOFF_DEMO: "1",
  LOG_LEVEL: "warn",
  DATABASE_URL: `sqlite:${file}`,
};
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let handoff = await start(
  "node",
  ["dist/cli/main.js", "start"],
  { ...env, PORT: String(port) },
  "Handoff demo is ready",
);
const demo = JSON.parse(readFileSync(join(dataDir, "demo-credentials.json"), "utf8"));
try {
  const exchange = {
    url: `${base}/v1/auth/token`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      partner_token: demo.partner.partner_token,
      api_token: demo.partner.api_token,
    }),
  };
  const exchanged = await measure("token exchange POST /v1/auth/token", exchange);
  results.push(exchanged);
  const exchangeOperation = () => [
    { method: "POST", path: "/v1/auth/token", headers: exchange.headers, body: exchange.body },
  ];
  results.push(
    ...(await paced("exchange", TARGET.exchange, exchanged.base, base, exchangeOperation)),
  );
  const token = await accessToken(base, demo);
  results.push(
    await measure("bearer check GET /v1/partner", {
      url: `${base}/v1/partner`,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  await stop(handoff);
  const tickets = readyTickets(file, demo, READY_TICKETS);
  handoff = await start(
    "node",
    ["dist/cli/main.js", "start"],
    { ...env, HANDOFF_DEMO: "0", PORT: String(port) },
    "Handoff demo credentials",
  );
  results.push(...(await ssoRoutes(base, demo, tickets, "", true)));
  results.push(...(await oidcRoutes(base, demo)));

  if (LARGE_ROWS > 0) {
    await stop(handoff);
    const started = Date.now();
    seedLarge(file, demo, LARGE_ROWS);
    const seeded = ((Date.now() - started) / 1000).toFixed(0);
    const more = readyTickets(file, demo, READY_TICKETS);
    handoff = await start(
      "node",
      ["dist/cli/main.js", "start"],
      { ...env, HANDOFF_DEMO: "0", PORT: String(port) },
      "Handoff demo credentials",
    );
    console.log(`seeded ${LARGE_ROWS} users and ${LARGE_ROWS} tickets in ${seeded} s`);
    results.push(...(await ssoRoutes(base, demo, more, ` [${LARGE_ROWS / 1e6}M rows]`, false)));
  }
} finally {
  await stop(handoff);
  await stop(baseline);
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, loopback, one process per server`);
console.log("redeem counts one GET+POST pair as one operation");
console.log(
  "a paced row offers the route's target rate on an open-loop schedule; 'kept' is the share of it",
);
console.log("answered, and its p99 counts from each operation's scheduled start\n");
console.log(
  `${"route".padEnd(52)} ${"ops/s".padStart(9)} ${"p99 ms".padStart(8)} ${"baseline".padStart(9)} ${"ratio".padStart(7)}`,
);
for (const r of results) {
  const late = r.unanswered ? `, ${r.unanswered} unanswered 2 s after the schedule` : "";
  const kept = r.offered ? `  kept ${((r.rps / r.offered) * 100).toFixed(0)} %${late}` : "";
  const ratio = `${((r.rps / r.base.rps) * 100).toFixed(0)} %`;
  console.log(
    `${r.name.padEnd(52)} ${r.rps.toFixed(0).padStart(9)} ${(Number.isFinite(r.p99) ? r.p99.toFixed(1) : "-").padStart(8)} ${r.base.rps.toFixed(0).padStart(9)} ${ratio.padStart(7)}${kept}`,
  );
}
const bases = results.map((r) => r.base.rps);
console.log(
  `\nbaseline runs: ${Math.min(...bases).toFixed(0)}–${Math.max(...bases).toFixed(0)} req/s, p99 ${Math.min(...results.map((r) => r.base.p99))}–${Math.max(...results.map((r) => r.base.p99))} ms`,
);
const oidcExchange = results.find((r) => r.name.startsWith("OIDC code exchange"));
const bareOidc = results.find((r) => r.name.startsWith("oidc-provider alone"));
if (oidcExchange && bareOidc) {
  console.log(
    `\nOIDC code exchange = ${((oidcExchange.rps / bareOidc.rps) * 100).toFixed(0)} % of oidc-provider's bare client_credentials grant`,
  );
}
