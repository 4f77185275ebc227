// node bench/compare.js BEFORE.json AFTER.json: two runs' results (bench/results/), route by
// route: the server's CPU time per operation, its ratio to the bare Fastify route's measured in
// slices alternating with it, and the bare route's own CPU per request. The bare route's cost
// shows the machine's state: on a shared VM the same code's CPU per request can double for
// minutes (a busy host), and then every figure of the run moves with it, the ratio much less.
// A route is flagged when its CPU per operation and its ratio are both more than 10 % worse;
// "noisy" when less than half of a run's time was quiet (see QUIET in run.js), "machine" when
// the bare route's cost differs by more than 10 % between the two runs. Paced rows are left out.
import { readFileSync } from "node:fs";

const [before, after] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")));
if (!after) throw new Error("usage: node bench/compare.js BEFORE.json AFTER.json");
const line = (cells) =>
  console.log(cells.map((c, i) => (i ? c.padStart(9) : c.padEnd(14))).join(" "));
const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
const change = (a, b) => `${b > a ? "+" : ""}${f((b / a - 1) * 100, 1)} %`;
console.log(`before: ${before.commit}, ${before.date}; after: ${after.commit}, ${after.date}`);
line(["route", "µs before", "µs after", "change", "× before", "× after", "change", "base µs"]);
for (const a of before.results.filter((r) => !r.offered)) {
  const b = after.results.find((r) => r.key === a.key);
  if (!b) continue;
  const notes = [
    b.cpu / a.cpu > 1.1 && b.cpuRatio / a.cpuRatio > 1.1 ? "more than 10 % worse" : "",
    Math.min(a.quiet, b.quiet, a.base.quiet, b.base.quiet) < 0.5 ? "noisy" : "",
    Math.abs(b.base.cpu / a.base.cpu - 1) > 0.1 ? "machine" : "",
  ];
  line([
    a.key,
    f(a.cpu),
    f(b.cpu),
    change(a.cpu, b.cpu),
    f(a.cpuRatio, 2),
    f(b.cpuRatio, 2),
    change(a.cpuRatio, b.cpuRatio),
    `${f(a.base.cpu)} → ${f(b.base.cpu)}  ${notes.filter(Boolean).join(", ")}`,
  ]);
}
