// npm run bench: Handoff's routes against a bare Fastify route, in one run, on loopback.
//
// The headline figure is the server's CPU time per request: utime + stime of the server process
// (all its threads, also those that ended) over the measured run, divided by the requests (or
// operations) it answered, counting only the seconds in which no other process took more than a
// little CPU (see QUIET). Throughput depends on how the machine's cores are shared; CPU per
// request much less. The server (Handoff, the bare Fastify route, oidc-provider alone: one at a
// time under load) runs pinned to one CPU and this process, autocannon's load generator, to
// another (`taskset`); without taskset or a second CPU the bench runs unpinned and says so.
// Each route's run is cut into slices (BENCH_ROUNDS), each just after a slice of the bare
// route's, so that both are measured under the same load on the machine. Full-speed runs use
// autocannon (a closed loop: 50 connections, each sending its next request when the last is
// answered); the runs paced at each route's target rate use the open-loop client in open-loop.js.
//
// BENCH_DURATION (s per route, default 10), BENCH_WARMUP (s of unmeasured load before each run,
// default 3), BENCH_PACED (1 adds the runs paced at the targets), BENCH_CONNECTIONS (default 50),
// BENCH_LARGE_ROWS (default 1000000; 0 skips the large-database pass), BENCH_READY_CODES
// (authorization codes for the OIDC pass, default 800 per second of BENCH_DURATION up to 10 s),
// BENCH_ROUNDS (slices per route, default 4), BENCH_QUIET (default 0.1) and BENCH_QUIET_WAIT
// (default 60 s; see QUIET), BENCH_ROUTES (comma-separated route keys, default all: exchange,
// partner, mint, page, redeem, verify, oidc, oidc-bare, mint-large, redeem-large, verify-large).
// The results are also written as JSON to bench/results/ (not committed);
// `node bench/compare.js BEFORE.json AFTER.json` compares two runs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { mintSecret, newId } from "../dist/crypto/secrets.js";
import { loadSqlite } from "../dist/db/sqlite-driver.js";
import { compareRuns } from "./compare.js";
import { openLoop } from "./open-loop.js";
import { cpuTime, pin, TICKS } from "./proc.js";
import { readyTickets } from "./seed.js";
import { freePort, redeemRequests, startServer, stopServer } from "./servers.js";

const SQLite = loadSqlite();

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Each route also runs briefly at this many connections, for its p99 when not queued. */
const LOW_CONNECTIONS = 10;
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 1_000_000);
/**
 * Authorization codes for the code-exchange pass's measured run, made before it, with a fifth
 * more for its warm-up. Each is single use and good for 60 s, so there are no more than the
 * bench makes in about 25 s by default (it makes 400–450 a second, and uses them faster).
 */
const READY_CODES = Number(process.env.BENCH_READY_CODES ?? 800 * Math.min(DURATION, 10));
/** Tickets ready for the redemption pass: more than the fastest redemption rate can use. */
const READY_TICKETS = Number(process.env.BENCH_READY_TICKETS ?? 12_000 * DURATION);
/** Seconds of load before each measured run, not counted: JIT compilation, caches, pools. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
/**
 * BENCH_PACED=1 adds the runs paced at each route's target rate. Off by default since the bench
 * is pinned: a target is a share of the bare route's rate, which on its own CPU (20 000–30 000 a
 * second, as fast as autocannon on the other CPU sends) is above what mint, redeem and verify
 * answer at full speed, so those paced runs measured an overload.
 */
const PACED = process.env.BENCH_PACED === "1";
/** The issue's targets, as ratios of the baseline's requests per second. */
const TARGET = { exchange: 0.3, mint: 0.4, redeem: 0.25, verify: 0.7 };
/** BENCH_ROUTES: the route keys to measure (all when unset). */
const ROUTES = process.env.BENCH_ROUTES?.split(",").map((key) => key.trim());
const want = (key) => !ROUTES || ROUTES.includes(key);
/** The bare Fastify process, running for the whole run; see `measure`. */
let baseline;
let baselineUrl = "";

const PIN = pin();

/**
 * Time (µs) the bench's CPUs (all CPUs when unpinned) have spent busy so far: user, nice,
 * system, irq and softirq in /proc/stat, sampled every clock tick.
 */
function cpuBusy() {
  let total = 0;
  try {
    for (const [, n, rest] of readFileSync("/proc/stat", "utf8").matchAll(/^cpu(\d+) (.*)$/gm)) {
      const [user, nice, system, , , irq, softirq] = rest.split(" ").map(Number);
      if (!PIN.server || n === PIN.server || n === PIN.load)
        total += user + nice + system + irq + softirq;
    }
    return (total * 1e6) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** A server process pinned to the servers' CPU (when pinned), up once it prints `marker`. */
const start = (args, env, marker) => startServer(args, env, marker, PIN.server);
const stop = stopServer;

/**
 * A second of a measured run counts towards CPU per request only if other processes (not the
 * server, not this one) took less than this share of a CPU in it: another process on the same
 * core makes each request cost more, up to twice as much here (caches, TLB), though its own time
 * is not counted.
 */
const QUIET = Number(process.env.BENCH_QUIET ?? 0.1);
/** Seconds to wait at most, before each run, for a quiet second. */
const QUIET_WAIT = Number(process.env.BENCH_QUIET_WAIT ?? 60);
/** Slices of each route's run, each after a slice of the bare route's (see `measure`). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

/** Waits until other processes take less than QUIET of a CPU for a second, or QUIET_WAIT s. */
async function quietNow() {
  const started = performance.now();
  for (;;) {
    const cpu = cpuBusy() - process.cpuUsage().user - process.cpuUsage().system;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const others = cpuBusy() - process.cpuUsage().user - process.cpuUsage().system - cpu;
    const waited = (performance.now() - started) / 1000;
    if (!(others / 1e6 >= QUIET) || waited > QUIET_WAIT) {
      if (waited > 2) console.log(`waited ${waited.toFixed(0)} s for a quiet machine`);
      return;
    }
  }
}

/**
 * One measured autocannon run against `server` for DURATION / ROUNDS s (every response must have
 * one of the `ok` statuses). The server's CPU time, this process's and the CPUs' are read every
 * second; the quiet seconds (see QUIET) are counted apart.
 */
async function run(name, server, options, ok) {
  let answered = 0;
  const read = () => ({
    at: performance.now(),
    server: cpuTime(server.pid),
    self: process.cpuUsage().user + process.cpuUsage().system,
    all: cpuBusy(),
    answered,
  });
  const between = (a, b) => ({
    ms: b.at - a.at,
    cpu: b.server - a.server,
    answered: b.answered - a.answered,
    others: (b.all - a.all - (b.server - a.server) - (b.self - a.self)) / 1000 / (b.at - a.at),
  });
  const first = read();
  const seconds = [];
  let last = first;
  const timer = setInterval(() => {
    const now = read();
    seconds.push(between(last, now));
    last = now;
  }, 1000);
  const duration = DURATION / ROUNDS;
  const tracker = autocannon({ connections: CONNECTIONS, duration, ...options });
  // (options.connections, when given, wins: the short run at LOW_CONNECTIONS.)
  tracker.on("response", () => {
    answered += 1;
  });
  const result = await tracker;
  clearInterval(timer);
  const end = read();
  seconds.push(between(last, end));
  check(name, result, ok);
  const quiet = seconds.filter((second) => second.others < QUIET);
  const sum = (key) => quiet.reduce((total, second) => total + second[key], 0);
  return {
    ...between(first, end),
    p99: result.latency.p99,
    quietMs: sum("ms"),
    quietCpu: sum("cpu"),
    quietAnswered: sum("answered"),
  };
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle) - 1]) / 2;
};

/**
 * A route's (or the bare route's) slices together: `cpu` is the server's CPU time per operation
 * over their quiet seconds, `quiet` the share of their time those were, `cpuAll` CPU per
 * operation over all of it, `busy` the server's share of its CPU.
 */
function total(name, slices, perOperation) {
  const add = (key) => slices.reduce((sum, slice) => sum + slice[key], 0);
  return {
    name,
    rps: add("answered") / perOperation / (add("ms") / 1000),
    p99: median(slices.map((slice) => slice.p99)),
    operations: add("answered") / perOperation,
    cpu: (add("quietCpu") / add("quietAnswered")) * perOperation,
    quiet: add("quietMs") / add("ms"),
    cpuAll: (add("cpu") / add("answered")) * perOperation,
    busy: add("cpu") / 1000 / add("ms"),
    others: add("others") / slices.length,
  };
}

const baselineOptions = () => ({
  url: baselineUrl,
  method: "POST",
  body: "{}",
  headers: { "content-type": "application/json" },
});

/**
 * Measures the route `key` on `server` (`perOperation` requests an operation, each answered with
 * one of the `ok` statuses) in ROUNDS slices, each just after a slice of the bare route: `base`
 * is the bare route's slices together, `cpuRatio` the median over the rounds of the route's CPU
 * per operation over the bare route's, so that both sides of a ratio ran under the same load on
 * the machine. `slice` is added to each slice's options; `warm: false` skips the warm-up.
 */
async function measure(key, name, server, options, more = {}) {
  const { ok = [200], perOperation = 1, warm = true, slice = {} } = more;
  if (warm) await quietNow();
  if (warm && WARMUP > 0)
    await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...options });
  const base = [];
  const route = [];
  for (let round = 0; round < ROUNDS; round++) {
    base.push(await run("baseline", baseline, baselineOptions(), [200]));
    route.push(await run(name, server, { ...options, ...slice }, ok));
  }
  // Latency where the server is not saturated by the bench's own queue: a short run at 10.
  const low = await run(name, server, { ...options, ...slice, connections: LOW_CONNECTIONS }, ok);
  const ratios = route.map(
    (r, i) => r.quietCpu / r.quietAnswered / (base[i].quietCpu / base[i].quietAnswered),
  );
  return {
    key,
    ...total(name, route, perOperation),
    p99Low: low.p99,
    base: total("baseline", base, 1),
    cpuRatio: median(ratios) * perOperation,
  };
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
  const server = handoff;
  const result = await openLoop({
    base: url,
    rate: ratio * baseline.rps,
    duration: DURATION,
    warmup: Math.min(WARMUP, 1),
    connections: CONNECTIONS,
    operation,
    ok,
    cpu: () => cpuTime(server.pid),
  });
  const label = `  ${name}, paced at ${Math.round(ratio * 100)} % of baseline`;
  return [
    {
      key: `${name}-paced`,
      name: label,
      rps: result.rps,
      p99: result.p99,
      operations: result.done,
      cpu: result.cpu,
      busy: result.busy,
      base: baseline,
      offered: result.offered,
      unanswered: result.unanswered,
    },
  ];
}

function check(name, result, ok) {
  const good = ok.reduce((sum, code) => sum + (result.statusCodeStats?.[code]?.count ?? 0), 0);
  const bad = result.requests.total - good + result.errors + result.timeouts;
  if (bad > 0) {
    throw new Error(
      `${name}: ${bad} failed of ${result.requests.total} (${JSON.stringify(result.statusCodeStats)})`,
    );
  }
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

/**
 * Mint, redeem (GET + POST) and verify against the running Handoff; `pace` adds the paced runs,
 * `suffix` is added to the routes' keys.
 */
async function ssoRoutes(base, demo, tickets, label, suffix, pace) {
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
  if (want(`mint${suffix}`)) {
    const name = `mint POST /v1/sso/tickets${label}`;
    const minted = await measure(`mint${suffix}`, name, handoff, mint, { ok: [201] });
    results.push(minted);
    const operation = () => [
      { method: "POST", path: "/v1/sso/tickets", headers: mintHeaders, body: mintBody() },
    ];
    if (pace) {
      results.push(...(await paced("mint", TARGET.mint, minted.base, base, operation, [201])));
    }
  }
  let next = 0;
  const pairs = tickets.slice(1);
  const nextTicket = () => {
    const ticket = pairs[next++];
    if (!ticket) throw new Error("ran out of tickets: raise BENCH_READY_TICKETS");
    return ticket;
  };
  const sameOrigin = { "sec-fetch-site": "same-origin" };
  const redeem = { url: base, requests: redeemRequests(nextTicket) };
  if (want(`page${suffix}`)) {
    // The page in front of a link, alone: a GET never uses the ticket, so one serves every request.
    const name = `link page GET /login/{ticket}${label}`;
    const page = { url: `${base}/login/${pairs.at(-1)}` };
    results.push(await measure(`page${suffix}`, name, handoff, page));
  }
  if (want(`redeem${suffix}`)) {
    const name = `redeem GET+POST /login/{ticket}${label}`;
    const more = { ok: [200, 303], perOperation: 2 };
    const redeemed = await measure(`redeem${suffix}`, name, handoff, redeem, more);
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
  }
  if (want(`verify${suffix}`)) {
    const cookie = await sessionCookie(base, tickets[0]);
    const verify = { url: `${base}/v1/session/verify`, headers: { cookie } };
    const name = `forward-auth GET /v1/session/verify${label}`;
    const verified = await measure(`verify${suffix}`, name, handoff, verify);
    results.push(verified);
    if (pace) {
      const operation = () => [{ method: "GET", path: "/v1/session/verify", headers: { cookie } }];
      results.push(...(await paced("verify", TARGET.verify, verified.base, base, operation)));
    }
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
  if (want("oidc")) {
    await quietNow();
    const started = Date.now();
    const warm = WARMUP > 0 ? Math.round(READY_CODES / 5) : 0;
    // A fifth more for the warm-up, and a slice's worth for the short run at LOW_CONNECTIONS.
    const extra = warm + Math.floor(READY_CODES / ROUNDS);
    const { codes, verifier } = await readyCodes(base, demo, extra + READY_CODES);
    console.log(`${codes.length} codes ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let next = 0;
    // The run ends when its codes are used (`amount`), each good once; the first `warm` warm up.
    const exchange = (amount) => ({
      url: `${base}/oidc/token`,
      method: "POST",
      amount,
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
    });
    if (warm > 0) await autocannon({ connections: CONNECTIONS, ...exchange(warm) });
    // No more waiting: a code is good for 60 s once made.
    const name = "OIDC code exchange POST /oidc/token";
    const more = { warm: false, slice: { amount: Math.floor(READY_CODES / ROUNDS) } };
    results.push(await measure("oidc", name, handoff, exchange(READY_CODES), more));
  }
  if (want("oidc-bare")) {
    const barePort = await freePort();
    const bare = await start(["bench/oidc-bare.js", String(barePort)], {}, "ready");
    try {
      const name = "oidc-provider alone: client_credentials, memory";
      results.push(
        await measure("oidc-bare", name, bare, {
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
  }
  return results;
}

console.log(
  PIN.server
    ? `servers pinned to CPU ${PIN.server}, the load generator (this process) to CPU ${PIN.load}`
    : `UNPINNED (${PIN.why}): servers and the load generator share the CPUs`,
);
const baselinePort = await freePort();
baseline = await start(["bench/baseline.js", String(baselinePort)], {}, "ready");
baselineUrl = `http://127.0.0.1:${baselinePort}/baseline`;
if (WARMUP > 0)
  await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...baselineOptions() });
const results = [];

const dataDir = mkdtempSync(join(tmpdir(), "handoff-bench-"));
const file = join(dataDir, "bench.db");
const env = {
  HANDOFF_DATA_DIR: dataDir,
  HANDOFF_DEMO: "1",
  LOG_LEVEL: "warn",
  DATABASE_URL: `sqlite:${file}`,
  // The bench mints far past the production defaults' per-partner and per-user limits.
  HANDOFF_MINTS_PER_MINUTE: "100000000",
  HANDOFF_TICKETS_PER_USER: "1000000",
  HANDOFF_ANONYMOUS_PER_MINUTE: "1000000",
  HANDOFF_MAX_CONNECTIONS: "100000",
};
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const handoffArgs = ["dist/cli/main.js", "start"];
let handoff = await start(handoffArgs, { ...env, PORT: String(port) }, "Handoff demo is ready");
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
  if (want("exchange")) {
    const name = "token exchange POST /v1/auth/token";
    const exchanged = await measure("exchange", name, handoff, exchange);
    results.push(exchanged);
    const exchangeOperation = () => [
      { method: "POST", path: "/v1/auth/token", headers: exchange.headers, body: exchange.body },
    ];
    results.push(
      ...(await paced("exchange", TARGET.exchange, exchanged.base, base, exchangeOperation)),
    );
  }
  if (want("partner")) {
    const token = await accessToken(base, demo);
    results.push(
      await measure("partner", "bearer check GET /v1/partner", handoff, {
        url: `${base}/v1/partner`,
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  }
  const restart = { ...env, HANDOFF_DEMO: "0", PORT: String(port) };
  await stop(handoff);
  const tickets = readyTickets(file, demo, READY_TICKETS);
  handoff = await start(handoffArgs, restart, "Handoff demo credentials");
  results.push(...(await ssoRoutes(base, demo, tickets, "", "", true)));
  results.push(...(await oidcRoutes(base, demo)));

  const large = ["mint-large", "redeem-large", "verify-large"].some(want);
  if (LARGE_ROWS > 0 && large) {
    await stop(handoff);
    const started = Date.now();
    seedLarge(file, demo, LARGE_ROWS);
    const seeded = ((Date.now() - started) / 1000).toFixed(0);
    const more = readyTickets(file, demo, READY_TICKETS);
    handoff = await start(handoffArgs, restart, "Handoff demo credentials");
    console.log(`seeded ${LARGE_ROWS} users and ${LARGE_ROWS} tickets in ${seeded} s`);
    const label = ` [${LARGE_ROWS / 1e6}M rows]`;
    results.push(...(await ssoRoutes(base, demo, more, label, "-large", false)));
  }
} finally {
  await stop(handoff);
  await stop(baseline);
  rmSync(dataDir, { recursive: true, force: true });
}

const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, loopback, one process per server`);
console.log(
  PIN.server
    ? `servers pinned to CPU ${PIN.server} (all threads), load generator to CPU ${PIN.load}`
    : `UNPINNED (${PIN.why})`,
);
for (const line of [
  "HEADLINE: µs CPU/op, the server process's CPU time (utime + stime, all its threads) per request",
  "answered (redeem: per GET+POST pair), counted over the run's quiet seconds: those in which other",
  `processes took less than ${QUIET * 100} % of a CPU ('quiet': their share of the run). ops/s and p99`,
  "depend on how the machine is shared. 'busy': the server's share of its CPU over the run. 'base':",
  `the bare Fastify route, in ${ROUNDS} slices alternating with the route's; 'CPU ×': median over`,
  "those rounds of the route's µs CPU/op over the base's. A paced row offers",
  "the route's target rate on an open-loop schedule; 'kept' is the share of it answered, its p99",
  "counts from each operation's scheduled start, and its CPU/op is over the whole run.\n",
])
  console.log(line);
const pct = (x) => `${f(x * 100)} %`;
const columns = [
  ["route", 46, (r) => r.name],
  ["µs CPU/op", 9, (r) => f(r.cpu)],
  ["quiet", 5, (r) => pct(r.quiet)],
  ["ops/s", 6, (r) => f(r.rps)],
  [`p99@${CONNECTIONS}`, 7, (r) => f(r.p99, 1)],
  [`p99@${LOW_CONNECTIONS}`, 7, (r) => f(r.p99Low, 1)],
  ["busy", 5, (r) => pct(r.busy)],
  ["base µs", 7, (r) => f(r.b.cpu)],
  ["quiet", 5, (r) => pct(r.b.quiet)],
  ["base/s", 6, (r) => f(r.b.rps)],
  ["base p99", 8, (r) => f(r.b.p99, 1)],
  ["CPU ×", 5, (r) => f(r.cpuRatio, 2)],
];
const row = (cells) =>
  cells.map((c, i) => (i ? c.padStart(columns[i][1]) : c.padEnd(46))).join(" ");
console.log(row(columns.map(([title]) => title)));
for (const r of results) {
  const late = r.unanswered ? `, ${r.unanswered} unanswered 2 s after the schedule` : "";
  const kept = r.offered ? `  kept ${((r.rps / r.offered) * 100).toFixed(0)} %${late}` : "";
  // A paced row's baseline is its route's: shown once, on the route's row.
  const b = r.offered ? {} : r.base;
  const noisy = Math.min(r.quiet, b.quiet) < 0.5 ? "  less than half quiet: run again" : "";
  console.log(`${row(columns.map(([, , cell]) => cell({ ...r, b })))}${kept}${noisy}`);
}
const bases = results.filter((r) => !r.offered).map((r) => r.base);
const range = (values, digits = 0) =>
  `${f(Math.min(...values), digits)}–${f(Math.max(...values), digits)}`;
console.log(
  `\nbaseline runs: ${range(bases.map((b) => b.cpu))} µs CPU/req, ${range(bases.map((b) => b.rps))} req/s, p99 ${range(
    bases.map((b) => b.p99),
    1,
  )} ms`,
);
const oidcExchange = results.find((r) => r.key === "oidc");
const bareOidc = results.find((r) => r.key === "oidc-bare");
if (oidcExchange && bareOidc) {
  console.log(
    `OIDC code exchange: ${f(oidcExchange.cpu / bareOidc.cpu, 1)} × the CPU per request of oidc-provider's bare client_credentials grant`,
  );
}

let commit = "unknown";
try {
  commit = execFileSync("git", ["describe", "--always", "--dirty"], { encoding: "utf8" }).trim();
} catch {}
const out = new URL(
  `results/${new Date().toISOString().replaceAll(":", "-")}.json`,
  import.meta.url,
);
mkdirSync(new URL("results/", import.meta.url), { recursive: true });
const settings = {
  duration: DURATION,
  warmup: WARMUP,
  connections: CONNECTIONS,
  largeRows: LARGE_ROWS,
  quietBelow: QUIET,
};
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      commit,
      node: process.version,
      pinned: PIN.server ? { server: PIN.server, load: PIN.load } : PIN.why,
      clockTicks: TICKS,
      ...settings,
      results,
    },
    null,
    1,
  ),
);
console.log(`results: ${out.pathname}`);
// A saved baseline (this machine's, in bench/results/, not committed): compared at each run.
const savedBaseline = new URL("results/baseline.json", import.meta.url);
if (process.env.BENCH_SAVE_BASELINE === "1") {
  copyFileSync(out, savedBaseline);
  console.log(`saved as the baseline: ${savedBaseline.pathname}`);
} else if (existsSync(savedBaseline)) {
  console.log(`\nagainst the saved baseline (BENCH_SAVE_BASELINE=1 replaces it):`);
  compareRuns(
    [JSON.parse(readFileSync(savedBaseline, "utf8"))],
    [JSON.parse(readFileSync(out, "utf8"))],
  );
}
