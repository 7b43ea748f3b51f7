import type { Assignment } from "../model/assignment";
import { CandidateHosts } from "./candidates";
import type { SearchContext } from "./solver";
import { UnplaceableUnit } from "./solver";

/** Shared steps of the constructive solvers. */

export function unplaceAll(a: Assignment): void {
  for (let u = 0; u < a.hostOf.length; u++) a.move(u, -1);
}

/** First host from `start` (wrapping) that admits u, or -1. */
export function firstAdmitting(ctx: SearchContext, a: Assignment, u: number, start = 0): number {
  const H = ctx.cluster.hostIds.length;
  for (let k = 0; k < H; k++) {
    const h = (start + k) % H;
    if (ctx.framework.admits(a, u, h)) return h;
  }
  return -1;
}

/**
 * Places unplaced unit u on the admitting host with the lowest objective delta: first among its candidate
 * hosts (neighbours' hosts and racks), then, if none admits it, over every host. Throws UnplaceableUnit.
 */
export function placeBest(ctx: SearchContext, a: Assignment, u: number, cands: CandidateHosts, all: Int32Array, scratch: Float64Array): number {
  const fw = ctx.framework;
  const n = cands.collect(a, u);
  let best = -1;
  let bestDelta = Infinity;
  if (n > 0) {
    fw.objective.moveDeltas(a, u, cands.hosts, n, scratch);
    for (let i = 0; i < n; i++) {
      if (scratch[i] < bestDelta && fw.admits(a, u, cands.hosts[i])) {
        bestDelta = scratch[i];
        best = cands.hosts[i];
      }
    }
  }
  if (best < 0) {
    fw.objective.moveDeltas(a, u, all, all.length, scratch);
    for (let i = 0; i < all.length; i++) {
      if (scratch[i] < bestDelta && fw.admits(a, u, all[i])) {
        bestDelta = scratch[i];
        best = all[i];
      }
    }
  }
  if (best < 0) throw new UnplaceableUnit(u);
  a.move(u, best);
  return best;
}

/** Every host index, for full scans. */
export function allHosts(ctx: SearchContext): Int32Array {
  return Int32Array.from({ length: ctx.cluster.hostIds.length }, (_, h) => h);
}

export function newCandidates(ctx: SearchContext): CandidateHosts {
  return new CandidateHosts(ctx.cluster);
}
