import type { Assignment } from "../model/assignment";
import { CandidateHosts } from "./candidates";
import { LocalSearch } from "./local-search";
import type { SearchContext, Solver, SolverReport } from "./solver";

/**
 * Iterated local search on top of LocalSearch, for the large sparse instances. Each round:
 *  1. Perturb: take a random unit that has traffic and a small connected cluster around it (BFS over traffic,
 *     1..maxClusterSize units); pick a target rack (usually the rack of a host where one of the cluster's outside
 *     peers runs, sometimes a random rack); move the cluster's units there, swapping with residents when hosts
 *     are full. Every step is priced with exact deltas and checked by the filters.
 *  2. Repair: local search from the units touched and their neighbours only (the queue), so a round costs
 *     O(local) instead of O(cluster size).
 *  3. Accept if the objective did not get worse (sideways moves let it drift across plateaus); otherwise roll the
 *     assignment back through its journal.
 * Stops after `maxIterations` rounds, when a window of `stallRounds` rounds gained less than `minWindowGain` of the
 * objective (converged), or at the deadline.
 * With no deadline the run is a pure function of the seed and the round budget.
 */
export interface IteratedLocalSearchOptions {
  readonly maxClusterSize?: number;
  /** Window of rounds for the convergence test. Default max(2000, 2 x units). */
  readonly stallRounds?: number;
  /**
   * Converged, and stop, when a whole window of rounds improved the objective by less than this fraction of it
   * (default 0.0005: 0.05 %).
   */
  readonly minWindowGain?: number;
  /** Probability of a random target rack instead of one next to the cluster's peers. */
  readonly randomTarget?: number;
  /** Called with the objective after every strict improvement. */
  readonly onImprove?: (objective: number) => void;
  /** Share of the non-random targets taken from the costliest outside link instead of a random peer. */
  readonly costliestTarget?: number;
}

const EPS = 1e-7;

export class IteratedLocalSearch implements Solver {
  readonly name = "iterated-local-search";
  rounds = 0;
  accepted = 0;
  improvements = 0;
  /** Clock reading at the last strict improvement (for "converged at" reports). */
  lastImprovementMs = 0;

  private readonly residents: number[] = [];

  constructor(private readonly opts: IteratedLocalSearchOptions = {}) {}

  run(ctx: SearchContext, a: Assignment, maxIterations = Infinity): SolverReport {
    const start = ctx.clock.nowMs();
    this.lastImprovementMs = start;
    const c = ctx.cluster;
    const ls = new LocalSearch(ctx);
    const descent = ls.run(ctx, a);
    const withTraffic: number[] = [];
    for (let u = 0; u < c.unitCount; u++) if (c.adjStart[u + 1] > c.adjStart[u] && a.hostOf[u] >= 0) withTraffic.push(u);
    const stallRounds = this.opts.stallRounds ?? Math.max(2000, 2 * c.unitCount);
    const maxCluster = this.opts.maxClusterSize ?? 8;
    const randomTarget = this.opts.randomTarget ?? 0.2;
    const costliest = this.opts.costliestTarget ?? 0.5;
    const cands = new CandidateHosts(c);
    const inCluster = new Uint8Array(c.unitCount);
    const cluster: number[] = [];
    const minWindowGain = this.opts.minWindowGain ?? 0.0005;
    let windowStart = this.rounds;
    let windowObjective = ls.objective;
    a.commit();
    let mark = a.mark();
    while (withTraffic.length > 0 && this.rounds < maxIterations) {
      if (this.rounds - windowStart >= stallRounds) {
        if (windowObjective - ls.objective <= minWindowGain * Math.abs(ls.objective)) break;
        windowStart = this.rounds;
        windowObjective = ls.objective;
      }
      if (ctx.clock.nowMs() >= ctx.deadlineMs) break;
      this.rounds++;
      const before = ls.objective;
      // 1. Cluster around a random unit with traffic.
      const seed = withTraffic[ctx.rng.int(withTraffic.length)];
      const size = 1 + ctx.rng.int(maxCluster);
      cluster.length = 0;
      cluster.push(seed);
      inCluster[seed] = 1;
      for (let i = 0; i < cluster.length && cluster.length < size; i++) {
        const x = cluster[i];
        const deg = c.adjStart[x + 1] - c.adjStart[x];
        // Start the scan at a random neighbour so clusters differ between rounds.
        const off = deg > 0 ? ctx.rng.int(deg) : 0;
        for (let k = 0; k < deg && cluster.length < size; k++) {
          const v = c.adjTo[c.adjStart[x] + ((off + k) % deg)];
          if (!inCluster[v] && a.hostOf[v] >= 0) {
            inCluster[v] = 1;
            cluster.push(v);
          }
        }
      }
      // 2. Target rack: next to a peer outside the cluster (the costliest link of a random member, or a random
      //    peer), or random.
      let target = -1;
      const roll = ctx.rng.next();
      if (roll >= randomTarget) {
        const x = cluster[ctx.rng.int(cluster.length)];
        const deg = c.adjStart[x + 1] - c.adjStart[x];
        const hx = a.hostOf[x];
        if (roll < randomTarget + (1 - randomTarget) * costliest) {
          let worst = 0;
          for (let e = c.adjStart[x]; e < c.adjStart[x + 1]; e++) {
            const v = c.adjTo[e];
            if (inCluster[v] || a.hostOf[v] < 0) continue;
            const cost = c.adjW[e] * c.topology.distance(hx, a.hostOf[v]);
            if (cost > worst) {
              worst = cost;
              target = a.hostOf[v];
            }
          }
        } else {
          for (let k = 0, off = ctx.rng.int(Math.max(1, deg)); k < deg; k++) {
            const v = c.adjTo[c.adjStart[x] + ((off + k) % deg)];
            if (!inCluster[v] && a.hostOf[v] >= 0) {
              target = a.hostOf[v];
              break;
            }
          }
        }
      }
      if (target < 0) target = ctx.rng.int(c.hostIds.length);
      const rack = cands.rackHosts(target);
      let delta = 0;
      for (const x of cluster) {
        inCluster[x] = 0;
        delta += this.relocate(ctx, a, x, rack, ls);
        ls.pushWithNeighbours(x);
      }
      ls.objective += delta;
      // 3. Repair locally.
      ls.descend(a);
      if (ls.objective < before - EPS) {
        this.opts.onImprove?.(ls.objective);
        this.improvements++;
        this.accepted++;
        this.lastImprovementMs = ctx.clock.nowMs();
      } else if (ls.objective <= before + EPS) {
        this.accepted++;
      } else {
        ls.clearQueue();
        a.rollback(mark);
        ls.objective = before;
      }
      a.commit();
      mark = a.mark();
    }
    a.commit();
    return {
      solver: this.name,
      objective: ls.objective,
      iterations: this.rounds + descent.iterations,
      elapsedMs: ctx.clock.nowMs() - start,
    };
  }

  /** Moves x to the cheapest admitting host of the rack, else swaps it with a resident. */
  private relocate(ctx: SearchContext, a: Assignment, x: number, rack: Int32Array, ls: LocalSearch): number {
    const fw = ctx.framework;
    const from = a.hostOf[x];
    const off = ctx.rng.int(rack.length);
    let best = -1;
    let bestDelta = Infinity;
    for (let k = 0; k < rack.length; k++) {
      const h = rack[(off + k) % rack.length];
      if (h === from) return 0;
      if (!fw.admits(a, x, h)) continue;
      const d = fw.objective.moveDelta(a, x, h);
      if (d < bestDelta) {
        bestDelta = d;
        best = h;
      }
    }
    if (best >= 0) {
      a.move(x, best);
      return bestDelta;
    }
    const residents = this.residents;
    for (let k = 0; k < rack.length; k++) {
      const h = rack[(off + k) % rack.length];
      // Snapshot: trial swaps reorder the host's unit list.
      residents.length = 0;
      for (let w = a.firstOn(h); w >= 0; w = a.nextOn(w)) residents.push(w);
      for (const w of residents) {
        const d = fw.objective.swapDelta(a, x, w);
        a.move(x, h);
        a.move(w, from);
        if (fw.admits(a, x, h) && fw.admits(a, w, from)) {
          ls.pushWithNeighbours(w);
          return d;
        }
        a.move(w, h);
        a.move(x, from);
      }
    }
    return 0;
  }
}
