/**
 * Planted benchmark: how close `place solve` (solvePlacement with the default solver and weights, as the CLI
 * runs it) gets to the planted placement of planted-instance.ts, from the random start, on fat-trees k = 8, 16
 * and 24. Each k runs in its own single-threaded child process, all started together (peak memory is each run's
 * VmHWM); the budget is CPU time of the child, so children sharing the machine do not eat each other's budget. Cost and feasibility are recomputed from the returned placement
 * (check-placement.ts). *Reached at*: the first progress report at or below the planted cost.
 *
 *   npm run bench:planted -- [--k 8,16,24] [--time-limit-ms 5000,60000,60000] [--seed 1]
 *                            [--out bench/placement/results/planted]
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { solvePlacement } from "@ferry/placement";
import { REPO_ROOT, gitCommit, machine } from "../bench-env";
import { checkPlacement } from "./check-placement";
import { cpuClock } from "./cpu-clock";
import { plantedInstance } from "./planted-instance";

interface Job {
  readonly k: number;
  readonly seed: number;
  readonly timeLimitMs: number;
}

interface Row {
  readonly k: number;
  readonly hosts: number;
  readonly vms: number;
  readonly links: number;
  readonly applications: number;
  readonly tenants: number;
  readonly startCost: number;
  readonly plantedCost: number;
  readonly foundCost: number;
  readonly ratio: number;
  readonly feasible: boolean;
  readonly violations: readonly string[];
  readonly timeLimitMs: number;
  /** CPU time of the solve. */
  readonly solveMs: number;
  readonly wallMs: number;
  /** First CPU time at which a reported objective was at or below the planted cost, if ever. */
  readonly reachedPlantedMs: number | null;
  readonly peakRssMiB: number;
  readonly stages: readonly { solver: string; objective: number; elapsedMs: number }[];
}

function peakRssMiB(): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

function runJob(job: Job): Row {
  const inst = plantedInstance({ k: job.k, seed: job.seed });
  const problem = inst.problem;
  const planted = checkPlacement(problem, inst.planted);
  if (!planted.feasible) throw new Error(`planted placement infeasible: ${planted.violations.join("; ")}`);
  const start = checkPlacement(problem, problem.current!);
  let reached: number | null = null;
  const t0 = performance.now();
  const c0 = cpuClock.nowMs();
  const r = solvePlacement(problem, {
    seed: job.seed,
    timeLimitMs: job.timeLimitMs,
    clock: cpuClock,
    progress: (p) => {
      if (reached === null && p.objective <= planted.cost) reached = Math.round(p.elapsedMs);
    },
  });
  const solveMs = cpuClock.nowMs() - c0;
  const wallMs = performance.now() - t0;
  const found = checkPlacement(problem, r.placement);
  return {
    k: job.k,
    hosts: problem.hosts.length,
    vms: problem.vms.length,
    links: problem.traffic!.length,
    applications: inst.applications,
    tenants: inst.tenants,
    startCost: start.cost,
    plantedCost: planted.cost,
    foundCost: found.cost,
    ratio: found.cost / planted.cost,
    feasible: found.feasible,
    violations: found.violations,
    timeLimitMs: job.timeLimitMs,
    solveMs: Math.round(solveMs),
    wallMs: Math.round(wallMs),
    reachedPlantedMs: reached,
    peakRssMiB: peakRssMiB(),
    stages: r.stages.map((s) => ({ solver: s.solver, objective: s.objective, elapsedMs: Math.round(s.elapsedMs) })),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      k: { type: "string", default: "8,16,24" },
      "time-limit-ms": { type: "string", default: "5000,60000,60000" },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: join(__dirname, "results", "planted") },
    },
  });
  if (values.child) {
    process.stdout.write(JSON.stringify(runJob(JSON.parse(values.child) as Job)));
    return;
  }
  const ks = values.k!.split(",").map(Number);
  const limits = values["time-limit-ms"]!.split(",").map(Number);
  const seed = Number(values.seed);
  const rows = await Promise.all(
    ks.map(async (k, i) => {
      const job: Job = { k, seed, timeLimitMs: limits[Math.min(i, limits.length - 1)] };
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["-r", "@swc-node/register", __filename, "--child", JSON.stringify(job)], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        ),
      );
      const row = JSON.parse(out) as Row;
      process.stderr.write(`k=${k}: found/planted ${row.ratio.toFixed(4)}${row.feasible ? "" : " INFEASIBLE"} in ${(row.solveMs / 1000).toFixed(1)} s CPU, peak ${row.peakRssMiB} MiB\n`);
      return row;
    }),
  );
  const meta = { date: new Date().toISOString(), commit: gitCommit(), ...machine(), seed };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(`${values.out}.json`, `${JSON.stringify({ meta, rows }, null, 1)}\n`);
  const table = markdownTable(rows);
  writeFileSync(`${values.out}.md`, `# Planted benchmark\n\nGenerated by \`npm run bench:planted\` on ${meta.date} (commit ${meta.commit}, ${meta.node}, ${meta.cpu}, ${meta.cores} cores shared with other work). Seed ${seed}; budgets and times are CPU time of the solving process.\n\n${table}\n`);
  process.stdout.write(`${table}\n${JSON.stringify({ meta, rows: rows.map(({ stages: _stages, violations: _violations, ...rest }) => rest) })}\n`);
}

function markdownTable(rows: readonly Row[]): string {
  const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
  return [
    "| k | hosts | VMs | links | apps | start | planted | found | found / planted | feasible | budget (s) | CPU time (s) | reached planted at (s) | peak RSS (MiB) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.k} | ${r.hosts} | ${r.vms} | ${r.links} | ${r.applications} | ${fmt(r.startCost)} | ${fmt(r.plantedCost)} | ${fmt(r.foundCost)} | ${r.ratio.toFixed(4)} | ${r.feasible ? "yes" : "NO"} | ${r.timeLimitMs / 1000} | ${(r.solveMs / 1000).toFixed(1)} | ${r.reachedPlantedMs === null ? "-" : (r.reachedPlantedMs / 1000).toFixed(1)} | ${r.peakRssMiB} |`,
    ),
  ].join("\n");
}

void main();
