import type { Assignment } from "../model/assignment";

/**
 * An objective term. Lower is better; `total` is in the plugin's own unit (see each plugin), and solvers
 * minimise sum(weight x total). The deltas must equal the change of `total` exactly (tests compare them with a
 * recomputation), because solvers trust them instead of recomputing.
 *
 * One-VM placement ranks hosts by `moveDelta` of the new VM, normalised per plugin to 0..100 (100 best), the way
 * the Kubernetes scheduler's NormalizeScore does.
 */
export interface Score {
  readonly name: string;
  total(a: Assignment): number;
  /** Change of total if unit u moved to host h (h = -1 unplaces it; u may be unplaced). */
  moveDelta(a: Assignment, u: number, h: number): number;
  /** Change of total if placed units u and w, on different hosts, exchanged hosts. */
  swapDelta(a: Assignment, u: number, w: number): number;
  /** moveDelta for hosts[0 .. count) into out; plugins with a faster batch form override the default loop. */
  moveDeltas?(a: Assignment, u: number, hosts: Int32Array, count: number, out: Float64Array): void;
}

export const SCORE_NAMES = {
  traffic: "traffic",
  migration: "migration",
  balance: "balance",
  energy: "energy",
} as const;
