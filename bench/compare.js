// node bench/compare.js BEFORE.json AFTER.json: two runs' results (bench/results/), route by
// route: the server's CPU time per operation, and its ratio to the bare Fastify route's measured
// just before it (which cancels some of the machine's drift between the two runs).
import { readFileSync } from "node:fs";

const [before, after] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, "utf8")));
if (!after) throw new Error("usage: node bench/compare.js BEFORE.json AFTER.json");
const line = (cells) =>
  console.log(cells.map((c, i) => (i ? c.padStart(10) : c.padEnd(16))).join(" "));
const change = (a, b) => `${b > a ? "+" : ""}${((b / a - 1) * 100).toFixed(1)} %`;
console.log(`before: ${before.commit}, ${before.date}; after: ${after.commit}, ${after.date}`);
line(["route", "µs before", "µs after", "change", "× before", "× after", "change"]);
for (const a of before.results) {
  const b = after.results.find((r) => r.key === a.key);
  if (!b) continue;
  const worse =
    b.cpu / a.cpu > 1.1 && b.cpuRatio / a.cpuRatio > 1.1 ? "  more than 10 % worse" : "";
  line([
    a.key,
    a.cpu.toFixed(0),
    b.cpu.toFixed(0),
    change(a.cpu, b.cpu),
    a.cpuRatio.toFixed(2),
    b.cpuRatio.toFixed(2),
    `${change(a.cpuRatio, b.cpuRatio)}${worse}`,
  ]);
}
