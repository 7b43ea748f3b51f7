/**
 * Budgeted re-placement benchmark: how much of the planted structure a plan of at most B migrations recovers.
 *
 * Start: the planted placement of planted-instance.ts with a share of it scattered, in one of two ways:
 *  - "apps": whole applications, drawn at random until they hold `--scatter` of the VMs, each of their VMs moved
 *    to a random host that has room;
 *  - "vms": single VMs, `--scatter` of them, each moved to a random host that has room.
 * Then planReplacement with a migration budget B (`--budgets`: shares of the number of VMs scattered), once per method ("greedy": the planner before group-first
 * plans; "group-first"; "auto": both, the better plan). Cost after the plan / planted cost, recomputed from the
 * plan's placement (check-placement.ts), every plan replayed by validatePlan. Times are CPU time of this process,
 * set-up included; the time limit is high enough that no plan stops on it.
 *
 *   npm run bench:replan -- [--k 8,16] [--scatter 0.2] [--budgets 0.125,0.25,0.5,1,2] [--seed 1]
 *                           [--out bench/placement/results/replan]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { PlacementProblem, ReplanMethod } from "@ferry/placement";
import { createRng, planReplacement, validatePlan } from "@ferry/placement";
import { gitCommit, machine } from "../bench-env";
import { checkPlacement } from "./check-placement";
import { cpuClock } from "./cpu-clock";
import { plantedInstance } from "./planted-instance";

type Scatter = "apps" | "vms";
const METHODS: readonly ReplanMethod[] = ["greedy", "group-first", "auto"];

interface Row {
  readonly k: number;
  readonly scatter: Scatter;
  readonly vms: number;
  readonly scattered: number;
  readonly plantedCost: number;
  readonly startCost: number;
  readonly budget: number;
  readonly method: ReplanMethod;
  readonly migrations: number;
  readonly cost: number;
  /** cost / planted cost. */
  readonly ratio: number;
  /** Share of the start's excess over planted that the plan removed. */
  readonly recovered: number;
  readonly planValid: boolean;
  readonly cpuMs: number;
}

/** The planted placement with whole applications ("apps") or single VMs ("vms") moved to random hosts with room. */
function scatteredStart(problem: PlacementProblem, planted: Readonly<Record<string, string>>, how: Scatter, share: number, seed: number): { current: Record<string, string>; scattered: number } {
  const rng = createRng(seed);
  const current = { ...planted };
  const hostIndex = new Map(problem.hosts.map((h, i) => [h.id, i]));
  const free = problem.hosts.map((h) => ({ cpu: h.cpu, mem: h.memMiB }));
  const vmById = new Map(problem.vms.map((v) => [v.id, v]));
  for (const v of problem.vms) {
    const f = free[hostIndex.get(planted[v.id])!];
    f.cpu -= v.cpu;
    f.mem -= v.memMiB;
  }
  const apps = new Map<string, string[]>();
  for (const v of problem.vms) {
    const app = v.id.slice(0, v.id.indexOf("-"));
    (apps.get(app) ?? apps.set(app, []).get(app)!).push(v.id);
  }
  const pool = how === "apps" ? [...apps.values()] : problem.vms.map((v) => [v.id]);
  const want = Math.round(share * problem.vms.length);
  let scattered = 0;
  while (scattered < want && pool.length > 0) {
    const [ids] = pool.splice(rng.int(pool.length), 1);
    for (const id of ids) {
      const v = vmById.get(id)!;
      for (let tries = 0; tries < 100; tries++) {
        const h = rng.int(problem.hosts.length);
        if (free[h].cpu < v.cpu || free[h].mem < v.memMiB) continue;
        const from = free[hostIndex.get(current[id])!];
        from.cpu += v.cpu;
        from.mem += v.memMiB;
        free[h].cpu -= v.cpu;
        free[h].mem -= v.memMiB;
        current[id] = problem.hosts[h].id;
        scattered++;
        break;
      }
    }
  }
  return { current, scattered };
}

function runScenario(k: number, how: Scatter, share: number, budgetShares: readonly number[], seed: number): Row[] {
  const inst = plantedInstance({ k, seed });
  const plantedCost = checkPlacement(inst.problem, inst.planted).cost;
  const { current, scattered } = scatteredStart(inst.problem, inst.planted, how, share, seed);
  const problem: PlacementProblem = { ...inst.problem, current };
  const start = checkPlacement(problem, current);
  if (!start.feasible) throw new Error(`scattered start infeasible: ${start.violations.join("; ")}`);
  const rows: Row[] = [];
  for (const budget of budgetShares.map((b) => Math.round(b * scattered))) {
    for (const method of METHODS) {
      const c0 = cpuClock.nowMs();
      const plan = planReplacement(problem, { maxMigrations: budget, method, seed, timeLimitMs: 600_000, clock: cpuClock });
      const cpuMs = cpuClock.nowMs() - c0;
      const after = checkPlacement(problem, plan.placement);
      const row: Row = {
        k,
        scatter: how,
        vms: problem.vms.length,
        scattered,
        plantedCost,
        startCost: start.cost,
        budget,
        method,
        migrations: plan.migrations,
        cost: after.cost,
        ratio: after.cost / plantedCost,
        recovered: (start.cost - after.cost) / (start.cost - plantedCost),
        planValid: validatePlan(problem, plan).ok && after.feasible,
        cpuMs: Math.round(cpuMs),
      };
      process.stderr.write(`k=${k} ${how} B=${budget} ${method}: ${row.migrations} moves, cost/planted ${row.ratio.toFixed(4)}, ${row.cpuMs} ms${row.planValid ? "" : " INVALID"}\n`);
      rows.push(row);
    }
  }
  return rows;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      k: { type: "string", default: "8,16" },
      scatter: { type: "string", default: "0.2" },
      how: { type: "string", default: "apps,vms" },
      budgets: { type: "string", default: "0.125,0.25,0.5,1,2" },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: join(__dirname, "results", "replan") },
    },
  });
  const seed = Number(values.seed);
  const share = Number(values.scatter);
  const budgets = values.budgets!.split(",").map(Number);
  const rows: Row[] = [];
  for (const k of values.k!.split(",").map(Number)) {
    for (const how of values.how!.split(",") as Scatter[]) rows.push(...runScenario(k, how, share, budgets, seed));
  }
  const meta = { date: new Date().toISOString(), commit: gitCommit(), ...machine(), seed, scatter: share };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(`${values.out}.json`, `${JSON.stringify({ meta, rows }, null, 1)}\n`);
  const table = markdownTable(rows);
  writeFileSync(
    `${values.out}.md`,
    `# Budgeted re-placement benchmark\n\nGenerated by \`npm run bench:replan\` on ${meta.date} (commit ${meta.commit}, ${meta.node}, ${meta.cpu}, ${meta.cores} cores shared with other work). Seed ${seed}; ${share * 100} % of the VMs scattered from the planted placement; times are CPU time, set-up included.\n\n${table}\n`,
  );
  process.stdout.write(`${table}\n`);
}

function markdownTable(rows: readonly Row[]): string {
  const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
  return [
    "| k | scattered | VMs moved away | start / planted | budget | method | migrations | after / planted | excess recovered | CPU time (ms) | plan valid |",
    "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ...rows.map(
      (r) =>
        `| ${r.k} | ${r.scatter} | ${fmt(r.scattered)} | ${(r.startCost / r.plantedCost).toFixed(3)} | ${r.budget} | ${r.method} | ${r.migrations} | ${r.ratio.toFixed(4)} | ${(r.recovered * 100).toFixed(1)} % | ${fmt(r.cpuMs)} | ${r.planValid ? "yes" : "NO"} |`,
    ),
  ].join("\n");
}

main();
