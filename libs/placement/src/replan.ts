import type { Clock } from "./clock";
import { PlacementError } from "./errors";
import { Assignment } from "./model/assignment";
import type { PlacementProblem } from "./model/problem";
import type { Plan, PlanMove } from "./plan";
import type { ScoreName } from "./registry";
import type { Setup } from "./solve";
import { countMigrations, placeUnplaced, setUp, trafficCost } from "./solve";
import { IncrementalPlanner } from "./solvers/incremental";

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
  const planner = new IncrementalPlanner(ctx, opts);
  const before = a.clone();
  const result = planner.plan(a);
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
