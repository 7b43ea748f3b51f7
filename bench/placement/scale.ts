/**
 * Scale benchmark: generated fat-tree fabrics (k = 8, 16, 24) with clustered traffic and hosts 70-90 % full,
 * starting from a random feasible placement. Every solver runs in its own child process, so that each peak
 * memory figure (VmHWM, the resident-set high-water mark) is that solver's alone. Also times incremental
 * re-placement (at most 10 / 50 / 200 moves) on a fat-tree of about 10,000 VMs, and checks each plan. Budgets and
 * times are CPU time of the child process (the machine is shared; see cpu-clock.ts); wall times are kept too.
 *
 *   npm run bench:placement -- [--k 8,16,24] [--time-limit-ms 30000] [--seed 1] [--incremental-k 18]
 *                              [--out bench/placement/results/scale]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { PlacementProblem, SolverName } from "@ferry/placement";
import { planReplacement, solvePlacement, validatePlan } from "@ferry/placement";
// Test fixtures are not part of the public API: the benchmark takes its generator by path, as the tests do.
import { clusteredWorkload } from "../../libs/placement/src/fixtures/clustered-workload";
import { REPO_ROOT, gitCommit, machine } from "../bench-env";
import { checkPlacement } from "./check-placement";
import { cpuClock } from "./cpu-clock";

const root = REPO_ROOT;

interface Job {
  readonly k: number;
  readonly seed: number;
  readonly solver: "start" | SolverName | "replan";
  readonly timeLimitMs: number;
  readonly maxMigrations?: number;
}

interface JobResult {
  readonly job: Job;
  readonly hosts: number;
  readonly vms: number;
  readonly links: number;
  /** Traffic cost recomputed from the returned placement by checkPlacement, not the solver's own figure. */
  readonly cost: number;
  /** The returned placement satisfies every capacity, host-state, hypervisor and group rule (checkPlacement). */
  readonly feasible: boolean;
  readonly violations?: readonly string[];
  readonly costBefore?: number;
  /** CPU time of the solve (the budget's clock). */
  readonly solveMs: number;
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly stages?: readonly { solver: string; objective: number; elapsedMs: number }[];
  readonly trajectory?: readonly [number, number][];
  readonly migrations?: number;
  readonly planValid?: boolean;
}

function peakRssMiB(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

/** Runs one job in this process (the child side). */
function runJob(job: Job): JobResult {
  const problem: PlacementProblem = clusteredWorkload({ topology: { kind: "fat-tree", k: job.k }, seed: job.seed });
  const size = { hosts: problem.hosts.length, vms: problem.vms.length, links: problem.traffic!.length };
  const t0 = performance.now();
  const c0 = cpuClock.nowMs();
  if (job.solver === "start" || job.solver === "replan") {
    const plan = planReplacement(problem, {
      maxMigrations: job.solver === "start" ? 0 : job.maxMigrations,
      seed: job.seed,
      timeLimitMs: job.timeLimitMs,
      clock: cpuClock,
    });
    const solveMs = cpuClock.nowMs() - c0;
    const wallMs = performance.now() - t0;
    const planValid = job.solver === "replan" ? validatePlan(problem, plan).ok : undefined;
    const check = checkPlacement(problem, plan.placement);
    const before = checkPlacement(problem, problem.current!);
    return { job, ...size, cost: check.cost, feasible: check.feasible, violations: check.violations, costBefore: before.cost, solveMs, wallMs, peakRssMiB: peakRssMiB(), migrations: plan.migrations, planValid };
  }
  const trajectory: [number, number][] = [];
  const r = solvePlacement(problem, {
    solver: job.solver,
    seed: job.seed,
    timeLimitMs: job.timeLimitMs,
    clock: cpuClock,
    progress: (p) => trajectory.push([Math.round(p.elapsedMs), p.objective]),
  });
  const solveMs = cpuClock.nowMs() - c0;
  const wallMs = performance.now() - t0;
  const check = checkPlacement(problem, r.placement);
  return {
    job,
    ...size,
    cost: check.cost,
    feasible: check.feasible,
    violations: check.violations,
    solveMs,
    wallMs,
    peakRssMiB: peakRssMiB(),
    stages: r.stages.map((s) => ({ solver: s.solver, objective: s.objective, elapsedMs: Math.round(s.elapsedMs) })),
    trajectory,
  };
}

function spawnJob(job: Job): JobResult {
  const out = execFileSync(process.execPath, ["-r", "@swc-node/register", __filename, "--child", JSON.stringify(job)], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as JobResult;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      k: { type: "string", default: "8,16,24" },
      "time-limit-ms": { type: "string", default: "30000" },
      seed: { type: "string", default: "1" },
      "incremental-k": { type: "string", default: "18" },
      out: { type: "string", default: join(__dirname, "results", "scale") },
    },
  });
  if (values.child) {
    process.stdout.write(JSON.stringify(runJob(JSON.parse(values.child) as Job)));
    return;
  }
  const seed = Number(values.seed);
  const limit = Number(values["time-limit-ms"]);
  const ks = values.k!.split(",").map(Number);
  const solvers: Job["solver"][] = ["start", "random", "first-fit", "greedy-nearest", "cluster-and-cut", "auto"];
  const results: JobResult[] = [];
  for (const k of ks) {
    for (const solver of solvers) {
      const r = spawnJob({ k, seed, solver, timeLimitMs: limit });
      results.push(r);
      process.stderr.write(`k=${k} ${solver.padEnd(15)} cost ${Math.round(r.cost)}${r.feasible ? "" : ` INFEASIBLE: ${r.violations!.join("; ")}`}  ${Math.round(r.solveMs)} ms  peak ${r.peakRssMiB} MiB\n`);
    }
  }
  const incK = Number(values["incremental-k"]);
  const incremental: JobResult[] = [];
  for (const maxMigrations of [10, 50, 200]) {
    const r = spawnJob({ k: incK, seed, solver: "replan", timeLimitMs: 10_000, maxMigrations });
    incremental.push(r);
    process.stderr.write(`replan k=${incK} ${r.vms} VMs, <= ${maxMigrations} moves: ${Math.round(r.costBefore!)} -> ${Math.round(r.cost)} in ${Math.round(r.solveMs)} ms, valid ${r.planValid}\n`);
  }
  const meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    ...machine(),
    seed,
    timeLimitMs: limit,
  };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(`${values.out}.json`, `${JSON.stringify({ meta, results, incremental }, null, 1)}\n`);
  writeFileSync(`${values.out}.md`, markdown(meta, ks, results, incremental));
  process.stdout.write(`${JSON.stringify({ meta, results: results.map((r) => ({ k: r.job.k, solver: r.job.solver, cost: r.cost, ms: Math.round(r.solveMs), mib: r.peakRssMiB })) })}\n`);
}

/** First time the trajectory came within `pct` % of its final value. */
function timeWithin(trajectory: readonly [number, number][], pct: number): number | undefined {
  if (trajectory.length === 0) return undefined;
  const final = trajectory[trajectory.length - 1][1];
  return trajectory.find(([, obj]) => obj <= final * (1 + pct / 100))?.[0];
}

function markdown(meta: Record<string, unknown>, ks: number[], results: JobResult[], incremental: JobResult[]): string {
  const get = (k: number, solver: string): JobResult => results.find((r) => r.job.k === k && r.job.solver === solver)!;
  const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
  const rel = (x: number, base: number): string => `${((x / base) * 100).toFixed(1)} %`;
  const lines = [
    "# Scale benchmark: fat-tree fabrics with clustered traffic",
    "",
    `Generated by \`npm run bench:placement\` on ${meta.date} (commit ${meta.commit}, ${meta.node}, ${meta.cpu}, ${meta.cores} cores`,
    `shared with other work; load average at the end ${(meta.loadAverageAtEnd as number[]).join(" / ")}). Seed ${meta.seed}; Ferry's budget`,
    `${meta.timeLimitMs} ms of CPU time. Each solver ran alone in a child process; times are that process's CPU time (user +`,
    "system; the machine was shared, so wall-clock times, also listed, include waiting for a core); peak memory is its",
    "VmHWM (resident-set high-water mark), which includes the workload generator and about 110 MiB of the TypeScript",
    "compiler loaded in-process (@swc-node/register).",
    "",
    "Traffic cost (sum of rate x switches on the path; lower is better), and as a share of the random start. Every cost is",
    "recomputed from the returned placement, which is checked for capacity, host state and groups (checkPlacement):",
    "",
    "| k | hosts | VMs | links | start (random) | random | first-fit | greedy nearest (k8s-like) | Cluster-and-Cut | Ferry |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const k of ks) {
    const start = get(k, "start");
    const cells = ["random", "first-fit", "greedy-nearest", "cluster-and-cut", "auto"].map((s) => `${fmt(get(k, s).cost)} (${rel(get(k, s).cost, start.cost)})${get(k, s).feasible ? "" : " INFEASIBLE"}`);
    lines.push(`| ${k} | ${start.hosts} | ${start.vms} | ${start.links} | ${fmt(start.cost)} | ${cells.join(" | ")} |`);
  }
  lines.push("", "Time and peak memory per solver:", "", "| k | solver | CPU time (s) | wall time (s) | peak RSS (MiB) |", "|---:|---|---:|---:|---:|");
  for (const k of ks) {
    for (const s of ["random", "first-fit", "greedy-nearest", "cluster-and-cut", "auto"]) {
      const r = get(k, s);
      lines.push(`| ${k} | ${s === "auto" ? "Ferry" : s} | ${(r.solveMs / 1000).toFixed(2)} | ${(r.wallMs / 1000).toFixed(2)} | ${r.peakRssMiB} |`);
    }
  }
  lines.push(
    "",
    "Ferry's stages and convergence (objective = traffic cost): multilevel placement from scratch, local search on it and on the",
    "current placement, then iterated local search on the better one until it stalls or the budget ends. *Within x %*:",
    "first time the cost came within x % of the final cost.",
    "",
    "| k | multilevel | + local search | iterated local search (final) | stopped at (s) | within 1 % (s) | within 0.1 % (s) |",
    "|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const k of ks) {
    const r = get(k, "auto");
    const st = r.stages!;
    const ils = st[st.length - 1];
    const w1 = timeWithin(r.trajectory!, 1);
    const w01 = timeWithin(r.trajectory!, 0.1);
    lines.push(
      `| ${k} | ${fmt(st[0].objective)} | ${fmt(st[1].objective)} | ${fmt(ils.objective)} | ${(r.solveMs / 1000).toFixed(1)} | ${w1 === undefined ? "-" : (w1 / 1000).toFixed(1)} | ${w01 === undefined ? "-" : (w01 / 1000).toFixed(1)} |`,
    );
  }
  lines.push(
    "",
    `Incremental re-placement on a fat-tree k = ${incremental[0].job.k} (${incremental[0].hosts} hosts, ${incremental[0].vms} VMs, ${incremental[0].links} links), from the random start; every plan replayed by validatePlan (feasible after each move):`,
    "",
    "| max moves | moves | cost before | cost after | CPU time (ms, incl. set-up) | wall time (ms) | peak RSS (MiB) | plan valid |",
    "|---:|---:|---:|---:|---:|---:|---:|---|",
    ...incremental.map(
      (r) =>
        `| ${r.job.maxMigrations} | ${r.migrations} | ${fmt(r.costBefore!)} | ${fmt(r.cost)} (${rel(r.cost, r.costBefore!)}) | ${Math.round(r.solveMs)} | ${Math.round(r.wallMs)} | ${r.peakRssMiB} | ${r.planValid ? "yes" : "NO"} |`,
    ),
    "",
  );
  return lines.join("\n");
}

main();
