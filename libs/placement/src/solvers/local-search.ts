import type { Assignment } from "../model/assignment";
import { CandidateHosts } from "./candidates";
import type { SearchContext, Solver, SolverReport } from "./solver";
import { randomOrder } from "./solver";

/**
 * Local search over moves (one unit to another host) and swaps (two units exchange hosts), best improvement per
 * unit, driven by a work queue:
 *  1. Take a unit from the queue; collect its candidate hosts (CandidateHosts: neighbours' hosts and racks).
 *  2. Price a move to every candidate in one batch (traffic: O(degree + candidates x levels) under an exact
 *     hierarchy, else O(degree) per candidate) and keep the best feasible one.
 *  3. For the few most attractive candidates that are full, price swaps with each unit there
 *     (O(degree of both)) and check feasibility by making the swap and asking the filters.
 *  4. Apply the best improving move or swap; queue the unit, its partner and their traffic neighbours.
 * Stops when the queue is empty (a local optimum for this neighbourhood) or at the budget.
 *
 * No delta is ever recomputed from scratch: the applied deltas are summed into `objective`, which tests check
 * against a full recomputation.
 */
export interface LocalSearchOptions {
  readonly swaps?: boolean;
  /** Full candidate hosts examined for swaps per unit. */
  readonly swapHosts?: number;
  /** Random extra candidate hosts per unit (for balance / energy terms); 0 when only traffic counts. */
  readonly randomHosts?: number;
}

const EPS = 1e-7;

export class LocalSearch implements Solver {
  readonly name = "local-search";
  private readonly queue: Int32Array;
  private readonly queued: Uint8Array;
  private qHead = 0;
  private qLen = 0;
  private readonly candidates: CandidateHosts;
  private deltas: Float64Array;
  private readonly swapBuf: Int32Array;
  private readonly onHost: Int32Array;
  private readonly swapsOn: boolean;
  private readonly swapHosts: number;
  private readonly randomHosts: number;
  /** Objective of the assignment, kept up to date by the applied deltas (set by run()). */
  objective = 0;
  moves = 0;
  swaps = 0;

  constructor(
    private readonly ctx: SearchContext,
    opts: LocalSearchOptions = {},
  ) {
    const U = ctx.cluster.unitCount;
    this.queue = new Int32Array(Math.max(1, U));
    this.queued = new Uint8Array(U);
    this.candidates = new CandidateHosts(ctx.cluster);
    this.deltas = new Float64Array(this.candidates.cap);
    this.swapsOn = opts.swaps ?? true;
    this.swapHosts = opts.swapHosts ?? 4;
    const onlyTraffic = ctx.framework.objective.terms.every((t) => t.score.name === "traffic");
    this.randomHosts = opts.randomHosts ?? (onlyTraffic ? 0 : 4);
    this.swapBuf = new Int32Array(this.swapHosts);
    this.onHost = new Int32Array(1024);
  }

  push(u: number): void {
    if (this.queued[u]) return;
    this.queued[u] = 1;
    this.queue[(this.qHead + this.qLen) % this.queue.length] = u;
    this.qLen++;
  }

  pushWithNeighbours(u: number): void {
    this.push(u);
    const c = this.ctx.cluster;
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) this.push(c.adjTo[e]);
  }

  pending(): number {
    return this.qLen;
  }

  clearQueue(): void {
    while (this.qLen > 0) this.queued[this.pop()] = 0;
  }

  private pop(): number {
    const u = this.queue[this.qHead];
    this.qHead = (this.qHead + 1) % this.queue.length;
    this.qLen--;
    this.queued[u] = 0;
    return u;
  }

  /** Solver entry point: queue every placed unit (seeded order) and descend to a local optimum. */
  run(ctx: SearchContext, a: Assignment, maxIterations = Infinity): SolverReport {
    const start = ctx.clock.nowMs();
    this.objective = ctx.framework.objective.total(a);
    for (const u of randomOrder(ctx.cluster.unitCount, ctx.rng)) if (a.hostOf[u] >= 0) this.push(u);
    const iterations = this.descend(a, maxIterations);
    return { solver: this.name, objective: this.objective, iterations, elapsedMs: ctx.clock.nowMs() - start };
  }

  /**
   * Improves units from the queue until it is empty, `maxEvaluations` units were examined, or the deadline passed.
   * Returns the number of units examined. `objective` must hold the assignment's objective on entry.
   */
  descend(a: Assignment, maxEvaluations = Infinity): number {
    const ctx = this.ctx;
    let evaluations = 0;
    while (this.qLen > 0 && evaluations < maxEvaluations) {
      if ((evaluations & 255) === 255 && ctx.clock.nowMs() >= ctx.deadlineMs) break;
      evaluations++;
      const u = this.pop();
      if (a.hostOf[u] >= 0) this.improve(a, u);
    }
    return evaluations;
  }

  /** Applies the best improving move or swap of u, if any; returns the objective change (<= 0). */
  improve(a: Assignment, u: number): number {
    const { framework, rng } = this.ctx;
    const objective = framework.objective;
    const cands = this.candidates;
    const n = cands.collect(a, u, this.randomHosts, rng);
    if (n === 0) return 0;
    if (this.deltas.length < n) this.deltas = new Float64Array(n);
    const deltas = this.deltas;
    objective.moveDeltas(a, u, cands.hosts, n, deltas);
    let bestDelta = -EPS;
    let bestHost = -1;
    let bestPartner = -1;
    // Hosts worth a swap: improving as a move but rejected; keep the most improving few.
    let swapCount = 0;
    const swapBuf = this.swapBuf;
    for (let i = 0; i < n; i++) {
      const d = deltas[i];
      if (d >= bestDelta && d >= -EPS) continue;
      const h = cands.hosts[i];
      if (d < bestDelta && framework.admits(a, u, h)) {
        bestDelta = d;
        bestHost = h;
        continue;
      }
      if (!this.swapsOn || d >= -EPS) continue;
      if (swapCount < swapBuf.length) swapBuf[swapCount++] = i;
      else {
        let worst = 0;
        for (let k = 1; k < swapCount; k++) if (deltas[swapBuf[k]] > deltas[swapBuf[worst]]) worst = k;
        if (d < deltas[swapBuf[worst]]) swapBuf[worst] = i;
      }
    }
    const hu = a.hostOf[u];
    for (let k = 0; k < swapCount; k++) {
      const h = cands.hosts[swapBuf[k]];
      let m = 0;
      for (let w = a.firstOn(h); w >= 0 && m < this.onHost.length; w = a.nextOn(w)) this.onHost[m++] = w;
      for (let i = 0; i < m; i++) {
        const w = this.onHost[i];
        if (!this.swapFitsResources(a, u, w)) continue;
        const d = objective.swapDelta(a, u, w);
        if (d >= bestDelta) continue;
        if (!this.swapAdmitted(a, u, w)) continue;
        bestDelta = d;
        bestHost = h;
        bestPartner = w;
      }
    }
    if (bestHost < 0) return 0;
    if (bestPartner >= 0) {
      a.move(u, bestHost);
      a.move(bestPartner, hu);
      this.swaps++;
      this.pushWithNeighbours(bestPartner);
    } else {
      a.move(u, bestHost);
      this.moves++;
    }
    this.pushWithNeighbours(u);
    this.objective += bestDelta;
    return bestDelta;
  }

  /** Cheap necessary condition: after the swap both hosts are within capacity. */
  private swapFitsResources(a: Assignment, u: number, w: number): boolean {
    const c = this.ctx.cluster;
    const R = c.resourceCount;
    const hu = a.hostOf[u];
    const hw = a.hostOf[w];
    for (let r = 0; r < R; r++) {
      const diff = c.unitDemand[u * R + r] - c.unitDemand[w * R + r];
      if (a.used[hw * R + r] + diff > c.hostCapacity[hw * R + r] + 1e-9) return false;
      if (a.used[hu * R + r] - diff > c.hostCapacity[hu * R + r] + 1e-9) return false;
    }
    return true;
  }

  /** Makes the swap, asks every filter about both units, and undoes it. */
  private swapAdmitted(a: Assignment, u: number, w: number): boolean {
    const fw = this.ctx.framework;
    const hu = a.hostOf[u];
    const hw = a.hostOf[w];
    const journaling = a.journaling;
    const mark = a.mark();
    a.move(u, hw);
    a.move(w, hu);
    const ok = fw.admits(a, u, hw) && fw.admits(a, w, hu);
    a.rollback(mark);
    if (!journaling) a.commit();
    return ok;
  }
}
