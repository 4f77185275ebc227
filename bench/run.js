// npm run bench: Handoff's routes against a bare Fastify route, in one run, on loopback.
// Each figure is a ratio to the baseline measured minutes earlier on the same machine.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

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
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start`)), 30_000);
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

async function measure(name, options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${name}: ${bad} failed requests of ${result.requests.total}`);
  return { name, rps: result.requests.average, p99: result.latency.p99 };
}

const baselinePort = await freePort();
const baseline = await start("node", ["bench/baseline.js", String(baselinePort)], {}, "ready");
const results = [];
try {
  results.push(
    await measure("baseline: bare Fastify POST", {
      url: `http://127.0.0.1:${baselinePort}/baseline`,
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    }),
  );
} finally {
  await stop(baseline);
}

const dataDir = mkdtempSync(join(tmpdir(), "handoff-bench-"));
const port = await freePort();
const handoff = await start(
  "node",
  ["dist/cli/main.js", "start"],
  {
    PORT: String(port),
    HANDOFF_DATA_DIR: dataDir,
    HANDOFF_DEMO: "1",
    LOG_LEVEL: "warn",
    DATABASE_URL: `sqlite:${join(dataDir, "bench.db")}`,
  },
  "Handoff demo is ready",
);
try {
  const demo = JSON.parse(readFileSync(join(dataDir, "demo-credentials.json"), "utf8"));
  const base = `http://127.0.0.1:${port}`;
  results.push(
    await measure("token exchange POST /v1/auth/token", {
      url: `${base}/v1/auth/token`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        partner_token: demo.partner.partner_token,
        api_token: demo.partner.api_token,
      }),
    }),
  );
  const exchange = await fetch(`${base}/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      partner_token: demo.partner.partner_token,
      api_token: demo.partner.api_token,
    }),
  });
  const { access_token } = await exchange.json();
  results.push(
    await measure("bearer check GET /v1/partner", {
      url: `${base}/v1/partner`,
      headers: { authorization: `Bearer ${access_token}` },
    }),
  );
} finally {
  await stop(handoff);
  rmSync(dataDir, { recursive: true, force: true });
}

const base = results[0].rps;
console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, loopback, one process per server\n`);
console.log(
  `${"route".padEnd(40)} ${"req/s".padStart(9)} ${"p99 ms".padStart(8)} ${"ratio".padStart(7)}`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(9)} ${r.p99.toFixed(1).padStart(8)} ${`${((r.rps / base) * 100).toFixed(0)} %`.padStart(7)}`,
  );
}
