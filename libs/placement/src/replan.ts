import type { Clock } from "./clock";
import { PlacementError } from "./errors";
import { Assignment } from "./model/assignment";
import type { PlacementProblem } from "./model/problem";
import type { Plan, PlanMove } from "./plan";
import type { ScoreName } from "./registry";
import type { Setup } from "./solve";
import { countMigrations, placeUnplaced, setUp, trafficCost } from "./solve";
import { planGroupFirst } from "./solvers/group-first";
import type { IncrementalResult } from "./solvers/incremental";
import { IncrementalPlanner } from "./solvers/incremental";
import { LocalSearch } from "./solvers/local-search";
import { MultilevelPlacement } from "./solvers/multilevel";
import { UnplaceableUnit } from "./solvers/solver";

/**
 * How the plan picks its moves:
 *  - "greedy": IncrementalPlanner alone, one action (a move, or an eviction and a move) at a time by gain;
 *  - "group-first": a whole solve's placement as the target (multilevel placement, then local search), the
 *    budget spent first on whole groups of its moves (solvers/group-first.ts), the rest on IncrementalPlanner's
 *    actions; with two targets (multilevel refined from the current placement, and from scratch), the better plan;
 *  - "auto" (default): both, and the plan that ends with the lower objective (fewer migrations on a tie).
 */
export type ReplanMethod = "auto" | "greedy" | "group-first";

export interface ReplanOptions {
  /** Most VM migrations (default unlimited). */
  readonly maxMigrations?: number;
  /** Most memory moved, in MiB (default unlimited). */
  readonly maxMemoryMovedMiB?: number;
  /** Skip moves that gain at most this much objective (default 1e-6). */
  readonly minGain?: number;
  /** Objective weights; default traffic only. A migration weight > 0 makes each move pay for its memory. */
  readonly weights?: Partial<Record<ScoreName, number>>;
  readonly seed?: number;
  /** Default 1000 ms. */
  readonly timeLimitMs?: number;
  readonly clock?: Clock;
  /** Default "auto"; see ReplanMethod. */
  readonly method?: ReplanMethod;
  /** Opaque version of the cluster state the plan is computed against; copied into the plan for the apply check. */
  readonly baseVersion?: string;
}

/**
 * Incremental re-placement: an ordered plan of migrations from the problem's `current` placement that lowers
 * the objective within the budget, feasible after every single move. VMs without a current host are first put
 * on their cheapest admitting host (reported in `newVms`, not counted as migrations). See IncrementalPlanner.
 */
export function planReplacement(problem: PlacementProblem, opts: ReplanOptions = {}): Plan {
  for (const [name, value] of [
    ["maxMigrations", opts.maxMigrations],
    ["maxMemoryMovedMiB", opts.maxMemoryMovedMiB],
  ] as const) {
    if (value !== undefined && !(value >= 0)) throw new PlacementError("InvalidProblem", `${name} must be >= 0, got ${value}`);
  }
  const setup = setUp(problem, { ...opts, timeLimitMs: opts.timeLimitMs ?? 1000 });
  const { cluster: c, framework, ctx } = setup;
  const a = Assignment.current(c);
  placeUnplaced(setup, a);
  const newVms: Record<string, string> = {};
  for (let v = 0; v < c.vmIds.length; v++) if (c.vmCurrentHost[v] < 0) newVms[c.vmIds[v]] = c.hostIds[a.hostOf[c.vmUnit[v]]];
  const costBefore = trafficCost(setup, a);
  const objectiveBefore = framework.objective.total(a);
  const method = opts.method ?? "auto";
  if (!(method in METHODS)) throw new PlacementError("InvalidProblem", `method must be one of ${Object.keys(METHODS).join(", ")}, got ${JSON.stringify(method)}`);
  const before = a.clone();
  const result = METHODS[method](setup, a, opts);
  const moves = vmMoves(problem, setup, before, result.steps);
  return {
    baseVersion: opts.baseVersion,
    moves,
    costBefore,
    costAfter: trafficCost(setup, a),
    objectiveBefore,
    objectiveAfter: framework.objective.total(a),
    ...countMigrations(c, a),
    newVms,
    placement: a.toPlacement(),
    budget: { maxMigrations: opts.maxMigrations, maxMemoryMovedMiB: opts.maxMemoryMovedMiB },
    stoppedBecause: result.stoppedBecause,
    seed: ctx.rng.seed,
    elapsedMs: ctx.clock.nowMs() - setup.start,
  };
}

/** Each method plans from `a` (the current assignment, new VMs placed) and leaves `a` at the plan's end. */
const METHODS: Readonly<Record<ReplanMethod, (setup: Setup, a: Assignment, budget: ReplanOptions) => IncrementalResult>> = {
  greedy: (setup, a, budget) => new IncrementalPlanner(setup.ctx, budget).plan(a),
  "group-first": (setup, a, budget) => {
    if (budget.maxMigrations === 0 || budget.maxMemoryMovedMiB === 0) return METHODS.greedy(setup, a, budget);
    return better(setup, a, [(b) => groupFirst(setup, b, budget, true), (b) => groupFirst(setup, b, budget, false)]);
  },
  auto: (setup, a, budget) => better(setup, a, [(b) => METHODS.greedy(setup, b, budget), (b) => METHODS["group-first"](setup, b, budget)]),
};

/**
 * Runs each planner on its own copy of `a` and keeps the plan that ends lowest (the earlier one on a tie); leaves
 * `a` at its end. A planner is skipped once the deadline has passed (the first always runs).
 */
function better(setup: Setup, a: Assignment, planners: readonly ((b: Assignment) => IncrementalResult)[]): IncrementalResult {
  const { framework, ctx } = setup;
  const objective = framework.objective;
  let best: { result: IncrementalResult; end: Assignment; value: number } | undefined;
  for (const plan of planners) {
    if (best && ctx.clock.nowMs() >= ctx.deadlineMs) break;
    const b = a.clone();
    const result = plan(b);
    const value = objective.total(b);
    if (!best || value < best.value - 1e-9) best = { result, end: b, value };
  }
  for (let u = 0; u < setup.cluster.unitCount; u++) a.move(u, best!.end.hostOf[u]);
  return best!.result;
}

/**
 * Group-first plan towards a multilevel placement: `anchored`, refined from where the VMs run now (keeps what is
 * well placed; gathers groups whose VMs already sit near some of their peers), else built from scratch (finds
 * homes for groups that are split evenly or scattered, at the price of many moves that gain little).
 */
function groupFirst(setup: Setup, a: Assignment, budget: ReplanOptions, anchored: boolean): IncrementalResult {
  const { ctx } = setup;
  const target = a.clone();
  try {
    new MultilevelPlacement(anchored ? { anchor: Int32Array.from(a.hostOf) } : {}).run(ctx, target);
  } catch (e) {
    // The multilevel repair step found no host for some unit: no target, so single actions only.
    if (e instanceof UnplaceableUnit) return METHODS.greedy(setup, a, budget);
    throw e;
  }
  new LocalSearch(ctx).run(ctx, target);
  const groups = planGroupFirst(ctx, a, target.hostOf, budget);
  const rest = new IncrementalPlanner(
    ctx,
    {
      ...budget,
      maxMigrations: (budget.maxMigrations ?? Infinity) - groups.migrations,
      maxMemoryMovedMiB: (budget.maxMemoryMovedMiB ?? Infinity) - groups.memoryMovedMiB,
    },
    groups.moved,
  ).plan(a);
  const actions = groups.steps.length > 0 ? groups.steps[groups.steps.length - 1].action : 0;
  return {
    steps: [...groups.steps, ...rest.steps.map((s) => ({ ...s, action: s.action + actions }))],
    migrations: groups.migrations + rest.migrations,
    memoryMovedMiB: groups.memoryMovedMiB + rest.memoryMovedMiB,
    stoppedBecause: groups.stoppedBecause === "time" ? "time" : rest.stoppedBecause,
    evaluations: groups.evaluations + rest.evaluations,
  };
}

/**
 * Expands unit steps into VM moves and prices each: the VMs of a unit (an affinity group) move one after the
 * other, and each move's gain and traffic cost are those of the VM-level state at that point (the group is
 * split for a moment, which a live migration of one VM at a time cannot avoid).
 */
function vmMoves(problem: PlacementProblem, setup: Setup, start: Assignment, steps: readonly { unit: number; to: number; gain: number; action: number }[]): PlanMove[] {
  const { cluster: c, framework } = setup;
  const moves: PlanMove[] = [];
  const multi = steps.some((s) => c.unitVmStart[s.unit + 1] - c.unitVmStart[s.unit] > 1);
  if (!multi) {
    // Units are single VMs: unit-level deltas are the VM-level ones.
    const a = start.clone();
    let cost = trafficCost(setup, a);
    const traffic = framework.scores.find((s) => s.score.name === "traffic")!.score;
    for (const s of steps) {
      const v = c.unitVms[c.unitVmStart[s.unit]];
      const from = a.hostOf[s.unit];
      cost += traffic.moveDelta(a, s.unit, s.to);
      a.move(s.unit, s.to);
      moves.push({
        step: moves.length + 1,
        vmId: c.vmIds[v],
        fromHostId: c.hostIds[from],
        toHostId: c.hostIds[s.to],
        memMiB: c.vmMemMiB[v],
        gain: s.gain,
        costAfter: cost,
        action: s.action,
      });
    }
    return moves;
  }
  // Affinity groups: replay VM by VM on the uncontracted cluster.
  const full = setUp({ ...problem, current: start.toPlacement() }, {}, setup.weights, { contractAffinity: false });
  const a = Assignment.current(full.cluster);
  const traffic = full.framework.scores.find((s) => s.score.name === "traffic")!.score;
  let cost = traffic.total(a);
  for (const s of steps) {
    for (let k = c.unitVmStart[s.unit]; k < c.unitVmStart[s.unit + 1]; k++) {
      const v = c.unitVms[k];
      const u = full.cluster.vmUnit[v];
      const from = a.hostOf[u];
      if (from === s.to) continue;
      const gain = -full.framework.objective.moveDelta(a, u, s.to);
      cost += traffic.moveDelta(a, u, s.to);
      a.move(u, s.to);
      moves.push({
        step: moves.length + 1,
        vmId: c.vmIds[v],
        fromHostId: c.hostIds[from],
        toHostId: c.hostIds[s.to],
        memMiB: c.vmMemMiB[v],
        gain,
        costAfter: cost,
        action: s.action,
      });
    }
  }
  return moves;
}
