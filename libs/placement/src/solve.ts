import type { Clock } from "./clock";
import { systemClock } from "./clock";
import { PlacementError } from "./errors";
import type { Framework } from "./framework";
import { Assignment } from "./model/assignment";
import type { Cluster } from "./model/cluster";
import { compileCluster, unitName } from "./model/cluster";
import type { PlacementProblem } from "./model/problem";
import type { ScoreName, ScoreWeights, SingleSolverName, SolverEntry } from "./registry";
import { DEFAULT_OBJECTIVE_WEIGHTS, SOLVERS, buildTopology, checkWeights, defaultFramework } from "./registry";
import { createRng } from "@ferry/random";
import { SCORE_NAMES } from "./scores/score";
import { allHosts, newCandidates, placeBest } from "./solvers/constructive";
import { IteratedLocalSearch } from "./solvers/iterated-local-search";
import { LocalSearch } from "./solvers/local-search";
import { MultilevelPlacement } from "./solvers/multilevel";
import { solveQapDense } from "./solvers/qap-dense";
import type { SearchContext, Solver, SolverReport } from "./solvers/solver";
import { UnplaceableUnit } from "./solvers/solver";

export type SolverName = "auto" | "qap" | SingleSolverName;

export interface SolveOptions {
  /** Seed of every random choice (default 1); printed with results so a run can be replayed. */
  readonly seed?: number;
  /** Budget in ms on `clock` (the wall clock by default), default 10 000. See `maxIterations` for reproducible runs. */
  readonly timeLimitMs?: number;
  /**
   * Budget of the last stage in its own unit (perturbation rounds of iterated local search, tabu iterations of
   * the dense QAP mode). With it, and a time limit that is not reached, a run is a pure function of the seed.
   */
  readonly maxIterations?: number;
  readonly clock?: Clock;
  /** Objective weights (see ScoreWeights); default traffic only. */
  readonly weights?: Partial<Record<ScoreName, number>>;
  /**
   * "auto" (default): multilevel placement (and the current placement, when given), local search on each, the better
   * one improved by iterated local search; the dense QAP mode when every host holds at most one VM. The other
   * names run that solver alone (baselines, or one stage) followed by nothing.
   */
  readonly solver?: SolverName;
  /** Called after each stage and on every improvement of the last stage (for progress reports and plots). */
  readonly progress?: (p: { readonly stage: string; readonly elapsedMs: number; readonly objective: number }) => void;
}

export interface SolveResult {
  /** vmId -> hostId for every VM. */
  readonly placement: Record<string, string>;
  /** Traffic cost: sum over traffic rows of rate x distance. */
  readonly cost: number;
  /** Weighted objective (equals cost with the default weights). */
  readonly objective: number;
  /** VMs that run now (`current`) and end on another host. */
  readonly migrations: number;
  readonly memoryMovedMiB: number;
  readonly elapsedMs: number;
  readonly seed: number;
  /** The stages that ran, in order, with their objective and iteration counts. */
  readonly stages: readonly SolverReport[];
}

/** Everything a run needs, built and validated once. */
export interface Setup {
  readonly cluster: Cluster;
  readonly framework: Framework;
  readonly weights: ScoreWeights;
  readonly ctx: SearchContext;
  readonly start: number;
}

export function setUp(
  problem: PlacementProblem,
  opts: { seed?: number; timeLimitMs?: number; clock?: Clock; weights?: Partial<Record<string, number>> },
  defaults: ScoreWeights = DEFAULT_OBJECTIVE_WEIGHTS,
  compile: { contractAffinity?: boolean } = {},
): Setup {
  const clock = opts.clock ?? systemClock;
  const start = clock.nowMs();
  if (!problem || !Array.isArray(problem.hosts)) throw new PlacementError("InvalidProblem", "problem.hosts must be an array");
  if (!Array.isArray(problem.vms)) throw new PlacementError("InvalidProblem", "problem.vms must be an array");
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new PlacementError("InvalidProblem", `seed must be an integer, got ${seed}`);
  const limit = opts.timeLimitMs;
  if (limit !== undefined && !(limit >= 0)) throw new PlacementError("InvalidProblem", `timeLimitMs must be >= 0, got ${limit}`);
  const topology = buildTopology(problem.topology, problem.hosts);
  const cluster = compileCluster(problem, topology, compile);
  const weights = checkWeights(opts.weights, defaults);
  const framework = defaultFramework(cluster, weights);
  const ctx: SearchContext = {
    cluster,
    framework,
    rng: createRng(seed),
    clock,
    deadlineMs: limit === undefined ? Infinity : start + limit,
  };
  return { cluster, framework, weights, ctx, start };
}

/** Traffic cost of an assignment (the CLI's `cost`), whatever the weights. */
export function trafficCost(setup: Setup, a: Assignment): number {
  const t = setup.framework.scores.find((s) => s.score.name === SCORE_NAMES.traffic)!;
  return t.score.total(a);
}

export function countMigrations(cluster: Cluster, a: Assignment): { migrations: number; memoryMovedMiB: number } {
  let migrations = 0;
  let memoryMovedMiB = 0;
  for (let v = 0; v < cluster.vmIds.length; v++) {
    const cur = cluster.vmCurrentHost[v];
    if (cur >= 0 && a.hostOf[cluster.vmUnit[v]] !== cur) {
      migrations++;
      memoryMovedMiB += cluster.vmMemMiB[v];
    }
  }
  return { migrations, memoryMovedMiB };
}

/**
 * Places every VM of the problem (TVMPP): see SolveOptions.solver for the pipeline. Throws PlacementError:
 * InvalidProblem for malformed input, Infeasible when no placement satisfying every filter was found.
 */
export function solvePlacement(problem: PlacementProblem, opts: SolveOptions = {}): SolveResult {
  const setup = setUp(problem, { ...opts, timeLimitMs: opts.timeLimitMs ?? 10_000 });
  checkObviouslyInfeasible(setup.cluster);
  const strategy = STRATEGIES[opts.solver ?? "auto"];
  if (!strategy) throw new PlacementError("InvalidProblem", `unknown solver ${JSON.stringify(opts.solver)}, known: ${SOLVER_NAMES.join(", ")}`);
  const stages: SolverReport[] = [];
  const a = strategy(setup, { maxIterations: opts.maxIterations, progress: opts.progress }, stages);
  return result(setup, a, stages);
}

interface StrategyOptions {
  readonly maxIterations?: number;
  readonly progress?: SolveOptions["progress"];
}

/** Runs a whole solve on `setup`, appending a report per stage; returns the final assignment. */
type Strategy = (setup: Setup, opts: StrategyOptions, stages: SolverReport[]) => Assignment;

/** One registered solver alone, from the current placement. */
function single(entry: SolverEntry): Strategy {
  return (setup, opts, stages) => {
    const a = Assignment.current(setup.cluster);
    stages.push(runSolver(setup, entry.make(setup.ctx), a, opts.maxIterations, entry.improving));
    return a;
  };
}

/** Every name `solver` accepts: the pipelines and each registered solver alone. */
const STRATEGIES: Readonly<Record<SolverName, Strategy>> = {
  auto: (setup, opts, stages) => (denseQapApplies(setup) ? solveAsQap(setup, opts.maxIterations, stages) : solveAuto(setup, opts.maxIterations, stages, opts.progress)),
  qap: (setup, opts, stages) => solveAsQap(setup, opts.maxIterations, stages),
  ...(Object.fromEntries(Object.entries(SOLVERS).map(([name, entry]) => [name, single(entry)])) as Record<SingleSolverName, Strategy>),
};

export const SOLVER_NAMES = Object.keys(STRATEGIES) as readonly SolverName[];

function result(setup: Setup, a: Assignment, stages: SolverReport[]): SolveResult {
  const { cluster, framework, ctx, start } = setup;
  return {
    placement: a.toPlacement(),
    cost: trafficCost(setup, a),
    objective: framework.objective.total(a),
    ...countMigrations(cluster, a),
    elapsedMs: ctx.clock.nowMs() - start,
    seed: ctx.rng.seed,
    stages,
  };
}

/**
 * Runs one solver. Improving solvers (local search, iterated local search) start from `a` with every unplaced
 * unit first put on its cheapest admitting host; constructive ones start from scratch. Unplaceable units become
 * PlacementError("Infeasible").
 */
export function runSolver(setup: Setup, solver: Solver, a: Assignment, maxIterations: number | undefined, improving: boolean): SolverReport {
  const { ctx } = setup;
  try {
    if (improving) placeUnplaced(setup, a);
    return solver.run(ctx, a, maxIterations);
  } catch (e) {
    if (e instanceof UnplaceableUnit) throw infeasible(setup.cluster, e.unit);
    throw e;
  }
}

/** Puts every unplaced unit (new VMs) on its cheapest admitting host, largest first. */
export function placeUnplaced(setup: Setup, a: Assignment): void {
  const { cluster: c, ctx } = setup;
  const R = c.resourceCount;
  const todo: number[] = [];
  for (let u = 0; u < c.unitCount; u++) if (a.hostOf[u] < 0) todo.push(u);
  if (todo.length === 0) return;
  const size = (u: number): number => c.unitDemand[u * R] + c.unitDemand[u * R + 1] / 1024;
  todo.sort((x, y) => size(y) - size(x) || x - y);
  const cands = newCandidates(ctx);
  const all = allHosts(ctx);
  const scratch = new Float64Array(Math.max(all.length, cands.cap));
  for (const u of todo) {
    try {
      placeBest(ctx, a, u, cands, all, scratch);
    } catch (e) {
      if (e instanceof UnplaceableUnit) throw infeasible(c, e.unit);
      throw e;
    }
  }
}

function solveAuto(setup: Setup, maxIterations: number | undefined, stages: SolverReport[], progress: SolveOptions["progress"]): Assignment {
  const { cluster, ctx, start } = setup;
  const report = (stage: string, objective: number): void => progress?.({ stage, elapsedMs: ctx.clock.nowMs() - start, objective });
  const push = (r: SolverReport): void => {
    stages.push(r);
    report(r.solver, r.objective);
  };
  const fromScratch = new Assignment(cluster);
  push(constructWithFallback(setup, fromScratch));
  const ls = new LocalSearch(ctx);
  push(ls.run(ctx, fromScratch));
  let best = fromScratch;
  if (cluster.unitCurrentHost.some((h) => h >= 0)) {
    const current = Assignment.current(cluster);
    placeUnplaced(setup, current);
    const fromCurrent = new LocalSearch(ctx).run(ctx, current);
    push({ ...fromCurrent, solver: "local-search(current)" });
    if (fromCurrent.objective < stages[stages.length - 2].objective) best = current;
  }
  const ils = new IteratedLocalSearch({ onImprove: (objective) => report("iterated-local-search", objective) });
  push(ils.run(ctx, best, maxIterations));
  return best;
}

/** Multilevel placement; if its repair step finds no host for a unit, first-fit decreasing by the filters. */
function constructWithFallback(setup: Setup, a: Assignment): SolverReport {
  const { ctx, cluster } = setup;
  try {
    return new MultilevelPlacement().run(ctx, a);
  } catch (e) {
    if (!(e instanceof UnplaceableUnit)) throw e;
  }
  const R = cluster.resourceCount;
  const order = Array.from({ length: cluster.unitCount }, (_, u) => u);
  const size = (u: number): number => {
    let s = 0;
    for (let r = 0; r < R; r++) s += cluster.unitDemand[u * R + r] / Math.max(1e-9, cluster.hostCapacity[r] || 1);
    return s;
  };
  order.sort((x, y) => size(y) - size(x) || x - y);
  for (let u = 0; u < cluster.unitCount; u++) a.move(u, -1);
  for (const u of order) {
    let placed = false;
    for (let h = 0; h < cluster.hostIds.length && !placed; h++) {
      if (ctx.framework.admits(a, u, h)) {
        a.move(u, h);
        placed = true;
      }
    }
    if (!placed) throw infeasible(cluster, u);
  }
  return { solver: "first-fit-decreasing", objective: ctx.framework.objective.total(a), iterations: cluster.unitCount, elapsedMs: 0 };
}

function infeasible(c: Cluster, u: number): PlacementError {
  const R = c.resourceCount;
  const need = c.resourceNames.map((name, r) => `${name} ${c.unitDemand[u * R + r]}`).join(", ");
  return new PlacementError(
    "Infeasible",
    `no feasible placement found: ${unitName(c, u)} (${need}) fits on no host that every filter admits after the others were placed`,
  );
}

/** Rejects problems that no placement can satisfy, with a message naming the cause. */
export function checkObviouslyInfeasible(c: Cluster): void {
  const R = c.resourceCount;
  const H = c.hostIds.length;
  for (let r = 0; r < R; r++) {
    let demand = 0;
    let capacity = 0;
    for (let u = 0; u < c.unitCount; u++) demand += c.unitDemand[u * R + r];
    for (let h = 0; h < H; h++) if (c.hostActive[h]) capacity += c.hostCapacity[h * R + r];
    if (demand > capacity + 1e-9) {
      throw new PlacementError("Infeasible", `VMs need ${demand} ${c.resourceNames[r]} in all but the active hosts have ${capacity}`);
    }
  }
  for (let u = 0; u < c.unitCount; u++) {
    let fitsSomewhere = false;
    for (let h = 0; h < H && !fitsSomewhere; h++) {
      if (!c.hostActive[h]) continue;
      if (c.unitHypervisor[u] !== -1 && c.unitHypervisor[u] !== c.hostHypervisor[h]) continue;
      let ok = true;
      for (let r = 0; r < R && ok; r++) ok = c.unitDemand[u * R + r] <= c.hostCapacity[h * R + r] + 1e-9;
      fitsSomewhere = ok;
    }
    if (!fitsSomewhere) {
      const need = c.resourceNames.map((name, r) => `${name} ${c.unitDemand[u * R + r]}`).join(", ");
      throw new PlacementError("Infeasible", `${unitName(c, u)} (${need}) is larger than every active host of its hypervisor kind`);
    }
  }
  for (let g = 0; g < c.antiGroupNames.length; g++) {
    let members = 0;
    for (let u = 0; u < c.unitCount; u++) for (let k = c.unitAntiStart[u]; k < c.unitAntiStart[u + 1]; k++) if (c.unitAnti[k] === g) members++;
    let active = 0;
    for (let h = 0; h < H; h++) active += c.hostActive[h];
    if (members > active) {
      throw new PlacementError("Infeasible", `anti-affinity group "${c.antiGroupNames[g]}" has ${members} members but only ${active} active hosts`);
    }
  }
}

/** Largest slot instance the dense QAP mode takes (its matrices are n x n doubles). */
const DENSE_QAP_MAX = 1500;

/**
 * The dense QAP mode applies when placement is an assignment: traffic is the only objective term, no groups or
 * hypervisor constraints, every VM fits every active host, and no active host can hold two VMs.
 */
function denseQapApplies(setup: Setup): boolean {
  const { cluster: c, weights } = setup;
  if (Object.entries(weights).some(([name, w]) => name !== SCORE_NAMES.traffic && w !== 0)) return false;
  if (c.antiGroupNames.length > 0 || c.unitCount !== c.vmIds.length) return false;
  if (c.unitHypervisor.some((k) => k !== -1)) return false;
  const R = c.resourceCount;
  const hosts: number[] = [];
  for (let h = 0; h < c.hostIds.length; h++) if (c.hostActive[h]) hosts.push(h);
  if (c.unitCount < 2 || hosts.length > DENSE_QAP_MAX || hosts.length < c.unitCount) return false;
  for (let r = 0; r < R; r++) {
    let min1 = Infinity;
    let min2 = Infinity;
    for (let u = 0; u < c.unitCount; u++) {
      const d = c.unitDemand[u * R + r];
      if (d < min1) [min1, min2] = [d, min1];
      else if (d < min2) min2 = d;
    }
    let max = 0;
    for (const h of hosts) {
      max = Math.max(max, c.hostCapacity[h * R + r]);
      for (let u = 0; u < c.unitCount; u++) if (c.unitDemand[u * R + r] > c.hostCapacity[h * R + r] + 1e-9) return false;
    }
    if (min1 + min2 > max + 1e-9) return true;
  }
  return false;
}

function solveAsQap(setup: Setup, maxIterations: number | undefined, stages: SolverReport[]): Assignment {
  const { cluster: c, ctx } = setup;
  const hosts: number[] = [];
  for (let h = 0; h < c.hostIds.length; h++) if (c.hostActive[h]) hosts.push(h);
  const n = hosts.length;
  if (n < c.unitCount) throw new PlacementError("Infeasible", `${c.unitCount} VMs need one host each but only ${n} hosts are active`);
  // Facilities: the units, padded with traffic-free dummies up to n. Locations: the active hosts.
  const flow = new Float64Array(n * n);
  for (let u = 0; u < c.unitCount; u++) {
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) {
      // Symmetric adjacency lists every pair twice with the total rate; halve so the QAP cost equals TVMPP's.
      flow[u * n + c.adjTo[e]] += c.adjWIn ? c.adjW[e] : c.adjW[e] / 2;
    }
  }
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dist[i * n + j] = c.topology.distance(hosts[i], hosts[j]);
  const remaining = ctx.deadlineMs - ctx.clock.nowMs();
  const r = solveQapDense(
    { n, a: flow, b: dist },
    {
      rng: ctx.rng,
      clock: ctx.clock,
      timeLimitMs: Number.isFinite(remaining) ? Math.max(0, remaining) : undefined,
      maxIterations: maxIterations ?? (Number.isFinite(remaining) ? undefined : 100_000),
      targetCost: 0,
    },
  );
  const a = new Assignment(c);
  for (let u = 0; u < c.unitCount; u++) a.move(u, hosts[r.permutation[u]]);
  stages.push({ solver: "qap-dense", objective: setup.framework.objective.total(a), iterations: r.iterations, elapsedMs: r.elapsedMs });
  return a;
}
