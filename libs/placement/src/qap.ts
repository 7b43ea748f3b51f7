import type { Clock } from "./clock";
import { PlacementError } from "./errors";
import type { QapInstance } from "./model/qap";
import { createRng } from "@ferry/random";
import type { QapTuning } from "./solvers/qap-dense";
import { solveQapDense } from "./solvers/qap-dense";

export interface QapOptions {
  readonly seed?: number;
  /** Default 10 000 ms when maxIterations is not given. */
  readonly timeLimitMs?: number;
  /** Tabu iterations; with it (and no time limit reached) the result is a pure function of the seed. */
  readonly maxIterations?: number;
  readonly clock?: Clock;
  readonly tuning?: Partial<QapTuning>;
}

export interface QapResult {
  readonly n: number;
  readonly cost: number;
  /** permutation[i] = 0-based location of facility i. */
  readonly permutation: number[];
  readonly iterations: number;
  readonly elapsedMs: number;
  /** Elapsed ms when the returned permutation was first found. */
  readonly bestAtMs: number;
  readonly seed: number;
}

/**
 * Solves a QAP instance (QAPLIB form): minimise sum_ij a[i][j] * b[p[i]][p[j]]. Stops early at cost 0 when both
 * matrices are non-negative (0 is then a lower bound).
 */
export function solveQap(inst: QapInstance, opts: QapOptions = {}): QapResult {
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new PlacementError("InvalidProblem", `seed must be an integer, got ${seed}`);
  const nonNegative = inst.a.every((x) => x >= 0) && inst.b.every((x) => x >= 0);
  const r = solveQapDense(inst, {
    rng: createRng(seed),
    clock: opts.clock,
    timeLimitMs: opts.timeLimitMs ?? (opts.maxIterations === undefined ? 10_000 : undefined),
    maxIterations: opts.maxIterations,
    targetCost: nonNegative ? 0 : -Infinity,
    tuning: opts.tuning,
  });
  return {
    n: inst.n,
    cost: r.cost,
    permutation: Array.from(r.permutation),
    iterations: r.iterations,
    elapsedMs: r.elapsedMs,
    bestAtMs: r.bestAtMs,
    seed,
  };
}
