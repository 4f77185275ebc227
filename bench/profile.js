// npm run profile -- ROUTE: where one route's CPU goes. Starts Handoff (the demo on SQLite, or on
// PostgreSQL with BENCH_POSTGRES_URL) under `node --cpu-prof`, pinned to one CPU with the load on
// the other as in `npm run bench`, loads ROUTE (exchange, partner, mint, redeem, verify) for
// BENCH_DURATION seconds (default 10) at BENCH_CONNECTIONS (default 10), stops it, and writes
// bench/results/profile-ROUTE.cpuprofile (Chrome DevTools, speedscope) and
// bench/results/profile-ROUTE.svg (a flame graph: callers above callees, widths CPU time; hover
// for the figures), and prints the functions that take the most CPU themselves. Samples taken
// before the server was ready (start-up) and idle ones are left out.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { flameGraph, selfTimes } from "./flame.js";
import { pin } from "./proc.js";
import { readyTickets } from "./seed.js";
import { freePort, freshDatabase, redeemRequests, startServer, stopServer } from "./servers.js";

const ROUTE = process.argv[2];
const ROUTES = ["exchange", "partner", "mint", "redeem", "verify"];
if (!ROUTES.includes(ROUTE)) {
  console.error(`usage: npm run profile -- ${ROUTES.join("|")}`);
  process.exit(2);
}
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const POSTGRES = process.env.BENCH_POSTGRES_URL;
const PIN = pin();

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "handoff-profile-"));
const database = POSTGRES ? await freshDatabase(POSTGRES, "handoff_profile") : null;
const databaseUrl = database?.url ?? `sqlite:${join(dir, "bench.db")}`;
const profiles = join(dir, "profiles");
const args = ["--cpu-prof", `--cpu-prof-dir=${profiles}`, "dist/cli/main.js", "start"];
const startedAt = Date.now();
const server = await startServer(
  args,
  {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    HANDOFF_DATA_DIR: dir,
    HANDOFF_BASE_URL: base,
    HANDOFF_SECRET_KEY: Buffer.alloc(32, 6).toString("base64"),
    HANDOFF_DRAIN_SECONDS: "0",
    HANDOFF_MINTS_PER_MINUTE: "100000000",
    HANDOFF_TICKETS_PER_USER: "1000000",
    LOG_LEVEL: "warn",
  },
  "Handoff demo",
  PIN.server,
);
const readyAfterMs = Date.now() - startedAt;
const demo = JSON.parse(readFileSync(join(dir, "demo-credentials.json"), "utf8"));

const post = (path, body, headers = {}) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    redirect: "manual",
  });
const exchangeBody = {
  partner_token: demo.partner.partner_token,
  api_token: demo.partner.api_token,
};
const access = (await (await post("/v1/auth/token", exchangeBody)).json()).access_token;
const bearer = { authorization: `Bearer ${access}` };

/** The autocannon options for ROUTE. */
async function load() {
  if (ROUTE === "exchange") {
    return {
      url: `${base}/v1/auth/token`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(exchangeBody),
    };
  }
  if (ROUTE === "partner") return { url: `${base}/v1/partner`, headers: bearer };
  if (ROUTE === "mint") {
    let n = 0;
    return {
      url: `${base}/v1/sso/tickets`,
      method: "POST",
      headers: { "content-type": "application/json", ...bearer },
      requests: [
        {
          setupRequest(request) {
            n = (n + 1) % 10_000;
            request.body = JSON.stringify({ user: { id: `p-${n}` }, app: demo.app.id });
            return request;
          },
        },
      ],
    };
  }
  if (ROUTE === "verify") {
    const minted = await (
      await post("/v1/sso/tickets", { user: { id: "v" }, app: demo.app.id }, bearer)
    ).json();
    const landed = await fetch(`${base}/login/${minted.ticket}`, {
      method: "POST",
      headers: { "sec-fetch-site": "same-origin" },
      redirect: "manual",
    });
    const cookie = landed.headers.get("set-cookie").split(";")[0];
    return { url: `${base}/v1/session/verify`, headers: { cookie } };
  }
  const tickets = POSTGRES
    ? await mintTickets(3000 * DURATION)
    : readyTickets(databaseUrl.slice("sqlite:".length), demo, 3000 * DURATION);
  return { url: base, requests: redeemRequests(() => tickets.pop()) };
}

/** On PostgreSQL, tickets are minted through the API (before the profiled window starts). */
async function mintTickets(count) {
  const tickets = [];
  const worker = async () => {
    while (tickets.length < count) {
      const body = { user: { id: `r-${tickets.length % 1000}` }, app: demo.app.id };
      tickets.push((await (await post("/v1/sso/tickets", body, bearer)).json()).ticket);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return tickets;
}

const options = await load();
const loadFrom = Date.now() - startedAt;
const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
const loadTo = Date.now() - startedAt;
await stopServer(server);
await database?.drop();
const file = readdirSync(profiles).find((name) => name.endsWith(".cpuprofile"));
const profile = JSON.parse(readFileSync(join(profiles, file), "utf8"));
mkdirSync("bench/results", { recursive: true });
writeFileSync(`bench/results/profile-${ROUTE}.cpuprofile`, JSON.stringify(profile));
// Only the samples inside the load's window (the profile starts with the process).
const window = { fromMs: loadFrom, toMs: loadTo };
const title = `${ROUTE} on ${POSTGRES ? "PostgreSQL" : "SQLite"}, ${CONNECTIONS} connections, ${DURATION} s`;
writeFileSync(`bench/results/profile-${ROUTE}.svg`, flameGraph(profile, window, title));
const ops = result.requests.total / (ROUTE === "redeem" ? 2 : 1);
console.log(
  `${title}: ${(ops / DURATION).toFixed(0)} op/s, ready after ${readyAfterMs} ms; ${Object.entries(
    result.statusCodeStats ?? {},
  )
    .map(([code, { count }]) => `${code}×${count}`)
    .join(" ")}`,
);
console.log(`bench/results/profile-${ROUTE}.svg, bench/results/profile-${ROUTE}.cpuprofile\n`);
console.log(
  "self time on the JavaScript thread (a blocking call such as SQLite's COMMIT counts while it waits)",
);
for (const row of selfTimes(profile, window, ops).slice(0, 30)) {
  console.log(
    `${row.usPerOp.toFixed(1).padStart(7)} µs/op ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.name}`,
  );
}
