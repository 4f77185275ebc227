// npm run bench:cluster: redemptions (GET + POST /login/{ticket}) on one and on two Handoff
// nodes sharing one PostgreSQL, for the plan in docs/scaling.md. Per redemption it reports the
// CPU time of each node (pinned to one CPU, as in `npm run bench`) and of every PostgreSQL
// process on the machine, and the WAL PostgreSQL wrote; and the redemptions a second, which on a
// two-core machine say what the machine does, not what two nodes would on their own cores.
//
// BENCH_POSTGRES_URL (default HANDOFF_TEST_POSTGRES_URL): a PostgreSQL the bench may create and
// drop databases in. BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3),
// BENCH_CONNECTIONS (default 50, split between the nodes), BENCH_NODES (default "1,2").
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { mintSecret } from "../dist/crypto/secrets.js";
import { cpuTime, pin } from "./proc.js";
import { freePort, freshDatabase, redeemRequests, startServer } from "./servers.js";

const URL_ = process.env.BENCH_POSTGRES_URL ?? process.env.HANDOFF_TEST_POSTGRES_URL;
if (!URL_) {
  console.error("bench:cluster needs BENCH_POSTGRES_URL (a PostgreSQL it may create databases in)");
  process.exit(2);
}
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const NODES = (process.env.BENCH_NODES ?? "1,2").split(",").map(Number);
const PIN = pin();

/** A node on this bench's CPU for servers, up once it has printed the demo. */
const startNode = (env) =>
  startServer(["dist/cli/main.js", "start"], env, "Handoff demo", PIN.server);

/** CPU time (µs) of every PostgreSQL process on this machine (backends, WAL writer, …). */
function postgresCpu() {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    const used = cpuTime(pid);
    if (!Number.isNaN(used)) total += used;
  }
  return total;
}

/** Tickets whose secrets we keep, inserted straight into the database. */
async function readyTickets(client, demo, count) {
  const now = Date.now();
  const { rows } = await client.query(
    "select id from users where partner_id = $1 order by created_at limit 1",
    [demo.partner.id],
  );
  const user = rows[0].id;
  const tokens = [];
  for (let start = 0; start < count; start += 1000) {
    const values = [];
    const params = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const secret = mintSecret("hts");
      tokens.push(secret.token);
      const at = params.length;
      params.push(secret.id, secret.hash, demo.partner.id, user, demo.app.id, now, now + 3600_000);
      values.push(
        `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 3}, null, $${at + 4}, $${at + 5}, '/', null, null, 'none', null, null, 'issued', null, $${at + 6}, $${at + 7}, null, null, null, null)`,
      );
    }
    await client.query(
      `insert into tickets (id, secret_hash, partner_id, account_id, api_token_id, user_id, app_id,
        return_to, bind_ip, fields, otp, partner_data_sealed, context, status, reason, created_at,
        expires_at, finished_at, session_id, last_failure, last_failure_at) values ${values.join(",")}`,
      params,
    );
  }
  return tokens;
}

/** Redemptions against every node at once, `seconds` long; answers the completed pairs. */
async function load(urls, tickets, seconds) {
  const runs = urls.map(
    (url) =>
      new Promise((resolve, reject) => {
        autocannon(
          {
            url,
            connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
            duration: seconds,
            requests: redeemRequests(() => {
              const ticket = tickets.pop();
              if (!ticket) throw new Error("ran out of tickets");
              return ticket;
            }),
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        );
      }),
  );
  const results = await Promise.all(runs);
  let redeemed = 0;
  let failed = 0;
  for (const result of results) {
    const codes = result.statusCodeStats ?? {};
    redeemed += codes[303]?.count ?? 0;
    const answered = (codes[200]?.count ?? 0) + (codes[303]?.count ?? 0);
    failed += result.requests.total - answered + result.errors + result.timeouts;
  }
  if (failed > 0)
    throw new Error(
      `${failed} requests failed: ${JSON.stringify(results.map((r) => r.statusCodeStats))}`,
    );
  return redeemed;
}

async function measure(count) {
  const database = await freshDatabase(URL_, "handoff_bench");
  const dir = mkdtempSync(join(tmpdir(), "handoff-bench-cluster-"));
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const base = `http://127.0.0.1:${ports[0]}`;
  const env = (port) => ({
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    HANDOFF_DATA_DIR: dir,
    HANDOFF_BASE_URL: base,
    HANDOFF_SECRET_KEY: Buffer.alloc(32, 4).toString("base64"),
    LOG_LEVEL: "warn",
  });
  const nodes = [await startNode(env(ports[0]))];
  for (const port of ports.slice(1)) nodes.push(await startNode(env(port)));
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const demo = JSON.parse(readFileSync(join(dir, "demo-credentials.json"), "utf8"));
    const tickets = await readyTickets(client, demo, 4000 * (DURATION + WARMUP));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    await load(urls, tickets, WARMUP);
    const wal = async () =>
      (await client.query("select pg_current_wal_lsn()::text as lsn")).rows[0].lsn;
    const before = {
      nodes: nodes.map((node) => cpuTime(node.pid)),
      postgres: postgresCpu(),
      wal: await wal(),
    };
    const started = performance.now();
    const redeemed = await load(urls, tickets, DURATION);
    const seconds = (performance.now() - started) / 1000;
    const nodeCpu = nodes.map((node, i) => cpuTime(node.pid) - before.nodes[i]);
    const postgres = postgresCpu() - before.postgres;
    const walBytes = Number(
      (
        await client.query("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1) as bytes", [
          before.wal,
        ])
      ).rows[0].bytes,
    );
    return {
      nodes: count,
      redemptionsPerSecond: redeemed / seconds,
      nodeCpuPerRedemption: nodeCpu.reduce((a, b) => a + b, 0) / redeemed,
      perNode: nodeCpu.map((cpu) => cpu / seconds / 1e6),
      postgresCpuPerRedemption: postgres / redeemed,
      walBytesPerRedemption: walBytes / redeemed,
    };
  } finally {
    await client.end();
    for (const node of nodes) {
      node.removeAllListeners("exit");
      node.kill("SIGKILL");
    }
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  PIN.server
    ? `nodes pinned to CPU ${PIN.server}, load on CPU ${PIN.load}; PostgreSQL unpinned`
    : `unpinned: ${PIN.why}`,
);
const rows = [];
for (const count of NODES) rows.push(await measure(count));
console.log("");
console.log(
  "| nodes | redemptions/s (this machine) | node CPU µs / redemption | PostgreSQL CPU µs / redemption | WAL bytes / redemption |",
);
console.log("|---:|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(
    `| ${row.nodes} | ${row.redemptionsPerSecond.toFixed(0)} | ${row.nodeCpuPerRedemption.toFixed(0)} | ${row.postgresCpuPerRedemption.toFixed(0)} | ${row.walBytesPerRedemption.toFixed(0)} |`,
  );
}
const last = rows.at(-1);
const at = 10_000;
console.log(
  `\nAt ${at} redemptions a second: ${((at * last.nodeCpuPerRedemption) / 1e6).toFixed(1)} node cores, ${((at * last.postgresCpuPerRedemption) / 1e6).toFixed(1)} PostgreSQL cores, ${((at * last.walBytesPerRedemption) / 1e6).toFixed(1)} MB/s of WAL (before headroom).`,
);
