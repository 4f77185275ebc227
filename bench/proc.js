// What the benches read of processes: pinning to CPUs (taskset) and CPU time used (/proc).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Pins this process (every thread: autocannon runs on its event loop) to the second CPU it may
 * use, and returns the first for the servers; `why` says why it did not.
 */
export function pin() {
  let cpus = [];
  try {
    const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))[1];
    for (const range of list.split(",")) {
      const [from, to = from] = range.split("-").map(Number);
      for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
    }
  } catch {
    cpus = [];
  }
  if (cpus.length < 2)
    return { why: `this process may use ${cpus.length || "an unknown number of"} CPU(s)` };
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpus[1]), String(process.pid)], {
      stdio: "ignore",
    });
  } catch (error) {
    return { why: error.code === "ENOENT" ? "no taskset" : `taskset failed (${error.message})` };
  }
  return { server: String(cpus[0]), load: String(cpus[1]) };
}

/** Clock ticks per second, the unit of /proc's CPU times. */
export const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (µs) a process has used so far, all its threads, including threads that ended:
 * utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks. NaN where there is no /proc.
 */
export function cpuTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
  } catch {
    return Number.NaN;
  }
}
