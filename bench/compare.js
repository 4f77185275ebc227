// node bench/compare.js BEFORE.json AFTER.json, or BEFORE1.json BEFORE2.json … -- AFTER1.json …:
// runs' results (bench/results/), route by route. On each side, a route's CPU per operation is
// the least of its runs' (on a shared VM the same code's CPU per request can double for minutes,
// a busy host, and every figure of a run moves with it; nothing makes it smaller), "×" the median
// of its runs' CPU ratios to the bare Fastify route, and "base µs" the bare route's own CPU per
// request in the run of that least figure: the machine's state. A route is flagged when its CPU
// per operation and its ratio are both more than 10 % worse; "noisy" when less than half of that
// run's time was quiet (see QUIET in run.js), "machine" when the bare route's cost differs by
// more than 10 % between the two sides. Paced rows are left out.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "-");
const change = (a, b) => `${b > a ? "+" : ""}${f((b / a - 1) * 100, 1)} %`;
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return (sorted[Math.floor(sorted.length / 2)] + sorted[Math.ceil(sorted.length / 2) - 1]) / 2;
};
/** A route's figures over one side's runs. */
function side(runs, key) {
  const rows = runs.map((run) => run.results.find((r) => r.key === key && !r.offered));
  const measured = rows.filter((r) => Number.isFinite(r?.cpu));
  if (measured.length === 0) return { cpu: Number.NaN, ratio: Number.NaN, base: Number.NaN };
  const best = measured.reduce((a, b) => (b.cpu < a.cpu ? b : a));
  return {
    cpu: best.cpu,
    ratio: median(measured.map((r) => r.cpuRatio)),
    base: best.base.cpu,
    quiet: Math.min(best.quiet, best.base.quiet),
  };
}
const line = (cells) =>
  console.log(cells.map((c, i) => (i ? c.padStart(9) : c.padEnd(14))).join(" "));
/** Prints the two sides' runs route by route (each side: one or more runs' JSON). */
export function compareRuns(before, after) {
  for (const [label, runs] of [
    ["before", before],
    ["after", after],
  ]) {
    console.log(`${label}: ${runs.map((run) => `${run.commit} ${run.date}`).join("; ")}`);
  }
  line(["route", "µs before", "µs after", "change", "× before", "× after", "change", "base µs"]);
  const keys = before[0].results.filter((r) => !r.offered).map((r) => r.key);
  for (const key of keys) {
    const a = side(before, key);
    const b = side(after, key);
    const notes = [
      b.cpu / a.cpu > 1.1 && b.ratio / a.ratio > 1.1 ? "more than 10 % worse" : "",
      Math.min(a.quiet, b.quiet) < 0.5 ? "noisy" : "",
      Math.abs(b.base / a.base - 1) > 0.1 ? "machine" : "",
    ];
    line([
      key,
      f(a.cpu),
      f(b.cpu),
      change(a.cpu, b.cpu),
      f(a.ratio, 2),
      f(b.ratio, 2),
      change(a.ratio, b.ratio),
      `${f(a.base)} → ${f(b.base)}  ${notes.filter(Boolean).join(", ")}`,
    ]);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const cut = args.includes("--") ? args.indexOf("--") : 1;
  const [before, after] = [args.slice(0, cut), args.slice(cut).filter((a) => a !== "--")].map(
    (files) => files.map((file) => JSON.parse(readFileSync(file, "utf8"))),
  );
  if (!before.length || !after.length) {
    throw new Error("usage: node bench/compare.js BEFORE.json… [--] AFTER.json…");
  }
  compareRuns(before, after);
}
