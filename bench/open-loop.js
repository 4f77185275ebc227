// Open-loop load at a fixed rate: operations start on a schedule (one every 1/rate s) whether or
// not earlier ones have been answered, over `connections` keep-alive connections. Each
// latency runs from the operation's scheduled start, so a stall counts against every operation
// it delays (no coordinated omission), and so does the scheduler's own lag (up to a millisecond:
// it wakes every millisecond and starts what is due).
//
// autocannon's `overallRate` is not this: each connection sends its per-second quota as fast as
// it can at the start of every second and then waits (autocannon issue #174), and its correction
// assumes a 1 ms interval whatever the rate. A p99 measured that way is the burst's queue.
//
// The client speaks just enough HTTP/1.1 for Handoff's answers (Content-Length bodies, no
// pipelining) on raw sockets: node:http's client costs nearly twice as much CPU per request
// (docs/performance.md), and the client shares the machine with the server it measures.
import net from "node:net";

/** Milliseconds between scheduler ticks. */
const TICK_MS = 1;
/**
 * How long a run waits for operations still in flight once its schedule has ended; those still
 * unanswered then (the server fell behind the offered rate) count as infinitely late.
 */
const DRAIN_MS = 2_000;
const HEADER_END = Buffer.from("\r\n\r\n");

/** A keep-alive connection that carries one request at a time. */
class Connection {
  constructor(host, port, onIdle) {
    this.host = host;
    this.port = port;
    this.onIdle = onIdle;
    this.socket = null;
    this.pending = null;
    this.buffer = Buffer.alloc(0);
  }

  send(bytes, pending) {
    this.pending = pending;
    // A failed reconnect reaches the pending request through the socket's error listener.
    if (!this.socket || this.socket.destroyed) this.connect().catch(() => {});
    this.socket.write(bytes);
  }

  /** Opens the connection; resolves once it is open. */
  connect() {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on("data", (chunk) => this.#data(chunk));
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("connection closed")));
    return new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
  }

  #data(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const end = this.buffer.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffer.toString("latin1", 0, end).toLowerCase();
    if (head.includes("\r\ntransfer-encoding:")) {
      return this.#fail(new Error("chunked answer: this client reads Content-Length bodies only"));
    }
    const length = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    this.buffer = Buffer.alloc(0);
    const { resolve } = this.pending;
    this.pending = null;
    resolve(status);
    this.onIdle(this);
  }

  #fail(error) {
    this.socket?.destroy();
    this.socket = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) {
      pending.reject(error);
      this.onIdle(this);
    }
  }

  close() {
    this.socket?.removeAllListeners("close");
    this.socket?.destroy();
  }
}

/**
 * `size` connections, all opened up front (as autocannon opens its own) and used in turn, so all
 * of them are warm; a request waits for an idle one.
 */
async function pool(base, size) {
  const url = new URL(base);
  const idle = [];
  const waiting = [];
  const all = [];
  const onIdle = (connection) => {
    const next = waiting.shift();
    if (next) connection.send(next.bytes, next);
    else idle.push(connection);
  };
  for (let i = 0; i < size; i++) {
    const connection = new Connection(url.hostname, Number(url.port), onIdle);
    all.push(connection);
    idle.push(connection);
  }
  await Promise.all(all.map((connection) => connection.connect()));
  const host = `host: ${url.host}\r\n`;
  return {
    /** Sends a request and resolves with its status. */
    request({ method, path, headers = {}, body = "" }) {
      let head = `${method} ${path} HTTP/1.1\r\n${host}`;
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      if (body || method === "POST") head += `content-length: ${Buffer.byteLength(body)}\r\n`;
      const bytes = Buffer.from(`${head}\r\n${body}`);
      return new Promise((resolve, reject) => {
        const pending = { bytes, resolve, reject };
        const connection = idle.shift();
        if (connection) connection.send(bytes, pending);
        else waiting.push(pending);
      });
    },
    /** Forgets the requests still waiting for a connection (a run's backlog). */
    dropWaiting() {
      waiting.length = 0;
    },
    close() {
      waiting.length = 0;
      for (const connection of all) connection.close();
    },
  };
}

/**
 * Runs `operation` `rate` times a second for `warmup` seconds (not counted), then for
 * `duration` seconds, and reports the rate answered, how many were still unanswered at the end
 * and the latency percentiles in ms (Infinity for a percentile that falls among the unanswered).
 *
 * @param {object} options
 * @param {string} options.base  e.g. http://127.0.0.1:8080
 * @param {number} options.rate  operations per second
 * @param {number} options.duration  seconds of measured operations
 * @param {number} options.warmup  seconds of operations before them, not measured
 * @param {number} options.connections  keep-alive connections at most
 * @param {() => Array<{method: string, path: string, headers?: object, body?: string}>} options.operation
 *   the requests of the next operation, sent one after another
 * @param {number[]} options.ok  the statuses every answer must have
 * @param {() => number} [options.cpu]  the server's CPU time so far, µs: the result then has its
 *   CPU time per answered operation over the measured run (`cpu`) and its share of a core (`busy`)
 */
export async function openLoop({ base, rate, duration, warmup, connections, operation, ok, cpu }) {
  const client = await pool(base, connections);
  try {
    if (warmup > 0) {
      await schedule(client, rate, warmup, operation, ok);
      // Whatever the warm-up left waiting does not spill into the measured run.
      client.dropWaiting();
    }
    const before = cpu?.() ?? Number.NaN;
    const wall = performance.now();
    const result = await schedule(client, rate, duration, operation, ok);
    const used = (cpu?.() ?? Number.NaN) - before;
    return { ...result, cpu: used / result.done, busy: used / 1000 / (performance.now() - wall) };
  } finally {
    client.close();
  }
}

async function schedule(client, rate, duration, operation, ok) {
  const total = Math.round(rate * duration);
  const latencies = new Float64Array(total).fill(Number.POSITIVE_INFINITY);
  const failures = [];
  let done = 0;
  let over = false;
  let lastAnswer = 0;
  let finish;
  const finished = new Promise((resolve) => {
    finish = resolve;
  });
  const run = async (index, scheduled) => {
    try {
      for (const request of operation()) {
        const status = await client.request(request);
        if (!ok.includes(status)) failures.push(`${request.method} ${request.path}: ${status}`);
      }
    } catch (error) {
      if (!over) failures.push(String(error));
      return;
    }
    if (over) return;
    lastAnswer = performance.now();
    latencies[index] = lastAnswer - scheduled;
    done += 1;
    if (done === total) finish();
  };

  const start = performance.now();
  let started = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      // `run` never rejects: it records its failures.
      for (; started < due; started++) void run(started, start + (started / rate) * 1000);
      if (started < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  let timer;
  await Promise.race([
    finished,
    new Promise((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    }),
  ]);
  clearTimeout(timer);
  over = true;
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${total} failed, first: ${failures[0]}`);
  }
  const elapsed = ((done === total ? lastAnswer : performance.now()) - start) / 1000;
  latencies.sort();
  const at = (q) => latencies[Math.min(total - 1, Math.ceil(q * total) - 1)];
  return {
    offered: rate,
    rps: done / elapsed,
    unanswered: total - done,
    done,
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
  };
}
