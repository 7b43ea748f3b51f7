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
 * hosts (neighbours' hosts and racks), then, if none admits it, over every host; if still none, makes room by
 * moving one resident elsewhere (ejectAndPlace). Throws UnplaceableUnit.
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
  if (best < 0) return ejectAndPlace(ctx, a, u);
  a.move(u, best);
  return best;
}

/**
 * Greedy placement can paint itself into a corner (the only host of a VM's hypervisor kind taken by a member of
 * its anti-affinity group, or filled by VMs that could live anywhere). One level of ejection gets out of most:
 * find a host where u fits once one resident w leaves, and a host that takes w; move w there, then u in.
 */
export function ejectAndPlace(ctx: SearchContext, a: Assignment, u: number): number {
  const fw = ctx.framework;
  const H = ctx.cluster.hostIds.length;
  for (let h = 0; h < H; h++) {
    const residents: number[] = [];
    for (let w = a.firstOn(h); w >= 0; w = a.nextOn(w)) residents.push(w);
    for (const w of residents) {
      a.move(w, -1);
      if (fw.admits(a, u, h)) {
        a.move(u, h);
        for (let x = 0; x < H; x++) {
          if (x !== h && fw.admits(a, w, x)) {
            a.move(w, x);
            return h;
          }
        }
        a.move(u, -1);
      }
      a.move(w, h);
    }
  }
  throw new UnplaceableUnit(u);
}

/** Every host index, for full scans. */
export function allHosts(ctx: SearchContext): Int32Array {
  return Int32Array.from({ length: ctx.cluster.hostIds.length }, (_, h) => h);
}

export function newCandidates(ctx: SearchContext): CandidateHosts {
  return new CandidateHosts(ctx.cluster);
}
