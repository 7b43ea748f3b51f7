import type { Clock } from "../clock";
import type { Framework } from "../framework";
import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Rng } from "@ferry/random";

/**
 * What every solver gets: the cluster, the plugins (filters and objective), a seeded Rng and a Clock.
 * `deadlineMs` is a reading of `clock` (Infinity for none).
 */
export interface SearchContext {
  readonly cluster: Cluster;
  readonly framework: Framework;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly deadlineMs: number;
}

export interface SolverReport {
  readonly solver: string;
  /** Objective after the solver ran. */
  readonly objective: number;
  /** Solver-specific count (unit evaluations, perturbation rounds...) that bounds a deterministic replay. */
  readonly iterations: number;
  readonly elapsedMs: number;
}

/**
 * A solver builds or improves an assignment in place. Constructive solvers (random, first-fit, greedy nearest,
 * Cluster-and-Cut) place every unit from scratch; improving ones (local search, iterated local search) start
 * from what they are given. `maxIterations` (solver-specific unit) makes a run reproducible from its seed.
 */
export interface Solver {
  readonly name: string;
  run(ctx: SearchContext, a: Assignment, maxIterations?: number): SolverReport;
}

/** Raised inside constructive solvers when a unit fits nowhere; callers turn it into PlacementError. */
export class UnplaceableUnit extends Error {
  constructor(readonly unit: number) {
    super(`unit ${unit} fits on no host`);
  }
}

/** Units of the cluster in a seeded random order. */
export function randomOrder(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
