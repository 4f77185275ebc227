// node bench/compare.js BEFORE.json AFTER.json: two runs' results (bench/results/), route by
// route: the server's CPU time per operation, and its ratio to the bare Fastify route's measured
// in slices alternating with it (which cancels some of the machine's drift between two runs).
// A route is flagged when both are more than 10 % worse; "noisy" when less than half of a run's
// time was quiet (see QUIET in run.js). Paced rows are left out.
import { readFileSync } from "node:fs";

const [before, after] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")));
if (!after) throw new Error("usage: node bench/compare.js BEFORE.json AFTER.json");
const line = (cells) =>
  console.log(cells.map((c, i) => (i ? c.padStart(10) : c.padEnd(16))).join(" "));
const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
const change = (a, b) => `${b > a ? "+" : ""}${f((b / a - 1) * 100, 1)} %`;
console.log(`before: ${before.commit}, ${before.date}; after: ${after.commit}, ${after.date}`);
line(["route", "µs before", "µs after", "change", "× before", "× after", "change"]);
for (const a of before.results.filter((r) => !r.offered)) {
  const b = after.results.find((r) => r.key === a.key);
  if (!b) continue;
  const worse = b.cpu / a.cpu > 1.1 && b.cpuRatio / a.cpuRatio > 1.1;
  const quiet = Math.min(a.quiet, b.quiet, a.base.quiet, b.base.quiet);
  line([
    a.key,
    f(a.cpu),
    f(b.cpu),
    change(a.cpu, b.cpu),
    f(a.cpuRatio, 2),
    f(b.cpuRatio, 2),
    `${change(a.cpuRatio, b.cpuRatio)}${worse ? "  more than 10 % worse" : ""}${quiet < 0.5 ? "  noisy" : ""}`,
  ]);
}
