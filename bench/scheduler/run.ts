/**
 * Scheduler benchmark: 200 moves on a k=8 fat-tree (workload.ts), simulated with bandwidth sharing
 * (simulate.ts) under four strategies (strategies.ts): one at a time, FIFO, FIFO with skip-ahead, and
 * @ferry/scheduler, all under the default limits (5 per cluster, 2 out and 2 in per node, 10 Gbit/s links).
 * Prints a table and writes the results as JSON with the seeds, the commit and the machine.
 *
 *   npm run bench:scheduler -- [--seeds 1,2,3] [--out bench/scheduler/results.json]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LIMITS, DEFAULT_LINKS, type SchedulerOptions } from "@ferry/scheduler";
import { REPO_ROOT, gitCommit, machine } from "../bench-env";
import { simulate, type SimResult, type Strategy } from "./simulate";
import { fifoStrategy, oneAtATimeStrategy, schedulerStrategy } from "./strategies";
import { buildWorkload, MOVES } from "./workload";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1,2,3" },
    out: { type: "string", default: join(REPO_ROOT, "bench/scheduler/results.json") },
  },
});
const seeds = values.seeds!.split(",").map(Number);
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) {
  process.stderr.write(`--seeds: comma-separated non-negative integers, got "${values.seeds}"\n`);
  process.exit(2);
}

const options: SchedulerOptions = {};
const strategies: [string, Strategy][] = [
  ["one-at-a-time", oneAtATimeStrategy(options)],
  ["fifo", fifoStrategy(options, false)],
  ["fifo-skip-ahead", fifoStrategy(options, true)],
  ["scheduler", schedulerStrategy(options)],
];

interface Row extends SimResult {
  readonly seed: number;
  readonly strategy: string;
  readonly cpuMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const rows: Row[] = [];
for (const seed of seeds) {
  const w = buildWorkload(seed);
  for (const [name, strategy] of strategies) {
    const c0 = process.cpuUsage();
    const r = simulate(w.nodes, w.arrivals, strategy, options);
    const c = process.cpuUsage(c0);
    rows.push({ seed, strategy: name, ...r, cpuMs: (c.user + c.system) / 1000 });
    process.stderr.write(`seed ${seed} ${name}: makespan ${s(r.makespanMs)} (${((c.user + c.system) / 1e6).toFixed(1)} s CPU)\n`);
  }
}

const pct = (x: number) => `${x >= 0 ? "" : "-"}${Math.abs(x * 100).toFixed(1)} %`;
const byKey = (seed: number, strategy: string) => rows.find((r) => r.seed === seed && r.strategy === strategy)!;

const header = ["seed", "strategy", "makespan", "vs fifo", "vs skip-ahead", "mean done", "wait evac", "wait drain", "max wait", "mean share", "TiB sent", "unconverged"];
const lines = rows.map((r) => {
  const fifo = byKey(r.seed, "fifo").makespanMs;
  const skip = byKey(r.seed, "fifo-skip-ahead").makespanMs;
  return [
    String(r.seed),
    r.strategy,
    s(r.makespanMs),
    pct(1 - r.makespanMs / fifo),
    pct(1 - r.makespanMs / skip),
    s(r.meanCompletionMs),
    s(r.meanWaitMsByClass.evacuate ?? 0),
    s(r.meanWaitMsByClass.drain ?? 0),
    s(r.maxWaitMs),
    `${(r.meanShareMbps / 1000).toFixed(1)} Gb/s`,
    (r.totalBytes / 1024 ** 4).toFixed(2),
    String(r.unconverged),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(fmt(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const l of lines) console.log(fmt(l));

// No strategy beats this: at most perCluster migrations, each at most one 10 Gbit/s host link, sending at least
// the bytes they need with the link to themselves (what one-at-a-time sends).
const boundMs = (seed: number) => (byKey(seed, "one-at-a-time").totalBytes * 8) / (DEFAULT_LIMITS.perCluster * DEFAULT_LINKS.hostUplinkMbps * 1e3);
console.log("");
for (const seed of seeds) {
  const sched = byKey(seed, "scheduler").makespanMs;
  console.log(`seed ${seed}: lower bound ${s(boundMs(seed))} (bytes / ${DEFAULT_LIMITS.perCluster} x 10 Gbit/s); scheduler ${pct(sched / boundMs(seed) - 1)} above it`);
}

const shorter = (strategy: string) => seeds.map((seed) => 1 - byKey(seed, "scheduler").makespanMs / byKey(seed, strategy).makespanMs);
const summary = {
  shorterThanFifo: { min: Math.min(...shorter("fifo")), mean: mean(shorter("fifo")) },
  shorterThanFifoSkipAhead: { min: Math.min(...shorter("fifo-skip-ahead")), mean: mean(shorter("fifo-skip-ahead")) },
  shorterThanOneAtATime: { min: Math.min(...shorter("one-at-a-time")), mean: mean(shorter("one-at-a-time")) },
  targetMet: Math.min(...shorter("fifo")) >= 0.3,
  lowerBoundMs: Object.fromEntries(seeds.map((seed) => [seed, boundMs(seed)])),
};
console.log(
  `scheduler vs fifo: ${pct(summary.shorterThanFifo.mean)} shorter on average (least ${pct(summary.shorterThanFifo.min)}); ` +
    `vs fifo with skip-ahead: ${pct(summary.shorterThanFifoSkipAhead.mean)} (least ${pct(summary.shorterThanFifoSkipAhead.min)}); ` +
    `target (>= 30 % shorter than fifo on every seed): ${summary.targetMet ? "met" : "NOT met"}`,
);

const result = {
  bench: "scheduler",
  commit: gitCommit(),
  date: new Date().toISOString(),
  machine: machine(),
  seeds,
  moves: MOVES,
  topology: { kind: "fat-tree", k: 8, links: DEFAULT_LINKS },
  limits: DEFAULT_LIMITS,
  summary,
  rows,
};
writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(`wrote ${values.out}\n`);

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
