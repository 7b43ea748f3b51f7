import type { Assignment } from "../model/assignment";
import { CandidateHosts } from "./candidates";
import { MaxHeap } from "./heap";
import type { SearchContext } from "./solver";

/**
 * Incremental re-placement: from the current assignment, a sequence of migrations that lowers the objective
 * the most within a budget, where every single migration is feasible in the state left by the ones before
 * (no host is ever over capacity, no filter is ever violated mid-plan).
 *
 * Lazy greedy (CELF): every unit holds a key, the gain of its best action. The first keys are cheap (best
 * admitted move, or the raw gain of a move to a full host, which a pair might realise). Pop the best key; if it
 * was computed in the current state, apply it; otherwise recompute it exactly and push it back. After an action
 * the state changes, so every key becomes stale and is recomputed only when it reaches the top; the units whose
 * gains the action changed most (the movers' traffic neighbours, and the residents and peers of the two hosts)
 * get fresh cheap keys at once.
 *
 * Actions:
 *  - move: unit u to an admitting host;
 *  - pair: evict a resident w of a full host h to w's best admitting host elsewhere, then move u to h (two
 *    steps, each feasible when it runs).
 * A unit moves at most once per plan (a VM migrated twice wastes a migration). A unit of k VMs (an affinity
 * group) costs k migrations. Stops when no action gains more than `minGain`, at the budget, or at the deadline.
 */
export interface IncrementalBudget {
  /** Most VM migrations in the plan. */
  readonly maxMigrations?: number;
  /** Most memory (MiB) of migrated VMs in the plan. */
  readonly maxMemoryMovedMiB?: number;
  /** Only actions whose objective gain exceeds this are taken (default 1e-6). */
  readonly minGain?: number;
}

export interface IncrementalStep {
  /** Unit moved, its source and target host, and the objective gain of this step (positive = better). */
  readonly unit: number;
  readonly from: number;
  readonly to: number;
  readonly gain: number;
  /** Steps with the same action number belong together (an eviction and the move it makes room for). */
  readonly action: number;
}

export interface IncrementalResult {
  readonly steps: readonly IncrementalStep[];
  readonly migrations: number;
  readonly memoryMovedMiB: number;
  readonly stoppedBecause: "budget" | "no-improving-action" | "time";
  readonly evaluations: number;
}

interface Action {
  gain: number;
  unit: number;
  host: number;
  /** Evicted resident, -1 for a plain move. */
  partner: number;
  partnerHost: number;
  partnerGain: number;
}

const PAIR_HOSTS = 3;

export class IncrementalPlanner {
  private readonly cands: CandidateHosts;
  private readonly partnerCands: CandidateHosts;
  private deltas: Float64Array;
  private partnerDeltas: Float64Array;
  private readonly locked: Uint8Array;
  private readonly key: Float64Array;
  private readonly keyEpoch: Int32Array;
  private epoch = 0;
  private readonly heap = new MaxHeap();
  private migrationsLeft: number;
  private memoryLeft: number;
  private readonly minGain: number;
  private evaluations = 0;
  private readonly residents: number[] = [];
  private readonly pairHosts = new Int32Array(PAIR_HOSTS);
  private readonly allHosts: Int32Array;
  private readonly allDeltas: Float64Array;
  private readonly scratchAction: Action = { gain: 0, unit: -1, host: -1, partner: -1, partnerHost: -1, partnerGain: 0 };

  /** `moved`: units an earlier part of the plan already moved (they stay put; the budget is what is left). */
  constructor(
    private readonly ctx: SearchContext,
    budget: IncrementalBudget,
    moved?: Uint8Array,
  ) {
    const c = ctx.cluster;
    this.cands = new CandidateHosts(c);
    this.partnerCands = new CandidateHosts(c);
    this.deltas = new Float64Array(this.cands.cap);
    this.partnerDeltas = new Float64Array(this.partnerCands.cap);
    this.allHosts = Int32Array.from({ length: c.hostIds.length }, (_, h) => h);
    this.allDeltas = new Float64Array(c.hostIds.length);
    this.locked = moved ? Uint8Array.from(moved) : new Uint8Array(c.unitCount);
    this.key = new Float64Array(c.unitCount);
    this.keyEpoch = new Int32Array(c.unitCount).fill(-1);
    this.migrationsLeft = budget.maxMigrations ?? Infinity;
    this.memoryLeft = budget.maxMemoryMovedMiB ?? Infinity;
    this.minGain = budget.minGain ?? 1e-6;
  }

  plan(a: Assignment): IncrementalResult {
    const c = this.ctx.cluster;
    const steps: IncrementalStep[] = [];
    let migrations = 0;
    let memory = 0;
    let stoppedBecause: IncrementalResult["stoppedBecause"] = "no-improving-action";
    for (let u = 0; u < c.unitCount; u++) if (a.hostOf[u] >= 0) this.pushCheap(a, u);
    let action = 0;
    let checkedAt = 0;
    while (this.heap.size > 0) {
      if (this.evaluations - checkedAt >= 64) {
        checkedAt = this.evaluations;
        if (this.ctx.clock.nowMs() >= this.ctx.deadlineMs) {
          stoppedBecause = "time";
          break;
        }
      }
      if (this.migrationsLeft <= 0 || this.memoryLeft <= 0) {
        stoppedBecause = "budget";
        break;
      }
      const k = this.heap.topKey();
      const u = this.heap.topValue();
      this.heap.pop();
      if (this.locked[u] || this.key[u] !== k) continue;
      if (k <= this.minGain) break;
      if (this.keyEpoch[u] !== this.epoch) {
        const best = this.exact(a, u);
        this.key[u] = best.gain;
        this.keyEpoch[u] = this.epoch;
        this.heap.push(best.gain, u);
        continue;
      }
      // The key is exact for this state and the best in the heap: take it.
      const best = this.exact(a, u);
      if (best.gain <= this.minGain) continue;
      action++;
      const moved: number[] = [];
      if (best.partner >= 0) {
        steps.push({ unit: best.partner, from: a.hostOf[best.partner], to: best.partnerHost, gain: best.partnerGain, action });
        a.move(best.partner, best.partnerHost);
        this.lock(best.partner);
        moved.push(best.partner);
      }
      steps.push({ unit: u, from: a.hostOf[u], to: best.host, gain: best.gain - (best.partner >= 0 ? best.partnerGain : 0), action });
      const from = a.hostOf[u];
      a.move(u, best.host);
      this.lock(u);
      moved.push(u);
      for (const m of moved) {
        migrations += this.vmCount(m);
        memory += this.memory(m);
      }
      this.epoch++;
      this.refresh(a, moved, [from, best.host, best.partnerHost]);
    }
    if (this.migrationsLeft <= 0 || this.memoryLeft <= 0) stoppedBecause = "budget";
    return { steps, migrations, memoryMovedMiB: memory, stoppedBecause, evaluations: this.evaluations };
  }

  private lock(u: number): void {
    this.locked[u] = 1;
    this.migrationsLeft -= this.vmCount(u);
    this.memoryLeft -= this.memory(u);
  }

  private vmCount(u: number): number {
    const c = this.ctx.cluster;
    return c.unitVmStart[u + 1] - c.unitVmStart[u];
  }

  private memory(u: number): number {
    const c = this.ctx.cluster;
    let s = 0;
    for (let k = c.unitVmStart[u]; k < c.unitVmStart[u + 1]; k++) s += c.vmMemMiB[c.unitVms[k]];
    return s;
  }

  private affordable(u: number, extraVms = 0, extraMem = 0): boolean {
    return this.vmCount(u) + extraVms <= this.migrationsLeft && this.memory(u) + extraMem <= this.memoryLeft + 1e-9;
  }

  /** Re-keys the units whose gains the last action changed the most. */
  private refresh(a: Assignment, moved: number[], hosts: number[]): void {
    const c = this.ctx.cluster;
    for (const m of moved) for (let e = c.adjStart[m]; e < c.adjStart[m + 1]; e++) this.pushCheap(a, c.adjTo[e]);
    for (const h of hosts) {
      if (h < 0) continue;
      for (let w = a.firstOn(h); w >= 0; w = a.nextOn(w)) this.pushCheap(a, w);
    }
  }

  /**
   * Cheap key: the best admitted move's gain, or the raw gain of moving to a host that rejects u (a pair might
   * realise it), whichever is larger. Computed in the current state, so it is exact when no pair is better.
   */
  private pushCheap(a: Assignment, u: number): void {
    if (this.locked[u] || a.hostOf[u] < 0 || !this.affordable(u)) return;
    this.evaluations++;
    const n = this.cands.collect(a, u);
    if (n === 0) return;
    if (this.deltas.length < n) this.deltas = new Float64Array(n);
    this.ctx.framework.objective.moveDeltas(a, u, this.cands.hosts, n, this.deltas);
    let best = 0;
    for (let i = 0; i < n; i++) if (-this.deltas[i] > best) best = -this.deltas[i];
    if (best <= this.minGain) return;
    this.key[u] = best;
    this.keyEpoch[u] = -1;
    this.heap.push(best, u);
  }

  /** The best affordable action of u in the current state (gain 0 when none improves). */
  private exact(a: Assignment, u: number): Action {
    this.evaluations++;
    const fw = this.ctx.framework;
    const best = this.scratchAction;
    best.gain = 0;
    best.unit = u;
    best.host = -1;
    best.partner = -1;
    best.partnerHost = -1;
    best.partnerGain = 0;
    if (!this.affordable(u)) return best;
    const n = this.cands.collect(a, u);
    if (n === 0) return best;
    if (this.deltas.length < n) this.deltas = new Float64Array(n);
    const deltas = this.deltas;
    fw.objective.moveDeltas(a, u, this.cands.hosts, n, deltas);
    let pairCount = 0;
    const pairHosts = this.pairHosts;
    for (let i = 0; i < n; i++) {
      const g = -deltas[i];
      if (g <= this.minGain) continue;
      const h = this.cands.hosts[i];
      if (g > best.gain && fw.admits(a, u, h)) {
        best.gain = g;
        best.host = h;
        continue;
      }
      if (fw.admits(a, u, h)) continue;
      // Rejected but attractive: remember the most attractive few for pairs.
      if (pairCount < PAIR_HOSTS) pairHosts[pairCount++] = i;
      else {
        let worst = 0;
        for (let k = 1; k < pairCount; k++) if (deltas[pairHosts[k]] > deltas[pairHosts[worst]]) worst = k;
        if (deltas[i] < deltas[pairHosts[worst]]) pairHosts[worst] = i;
      }
    }
    for (let k = 0; k < pairCount; k++) {
      const h = this.cands.hosts[pairHosts[k]];
      if (-deltas[pairHosts[k]] <= best.gain) continue;
      this.residents.length = 0;
      for (let w = a.firstOn(h); w >= 0; w = a.nextOn(w)) if (!this.locked[w] && w !== u) this.residents.push(w);
      for (const w of this.residents) this.tryPair(a, u, h, w, best);
    }
    return best;
  }

  /** Prices "evict w from h to its best admitting host, then u to h" and keeps it in `best` if better. */
  private tryPair(a: Assignment, u: number, h: number, w: number, best: Action): void {
    if (!this.affordable(u, this.vmCount(w), this.memory(w))) return;
    const fw = this.ctx.framework;
    const pc = this.partnerCands;
    // w may go next to its peers, or (below) to any host that takes it; never back to h.
    const m = pc.collect(a, w);
    if (this.partnerDeltas.length < m) this.partnerDeltas = new Float64Array(m);
    if (m > 0) fw.objective.moveDeltas(a, w, pc.hosts, m, this.partnerDeltas);
    let x = -1;
    let dx = Infinity;
    for (let i = 0; i < m; i++) {
      const cand = pc.hosts[i];
      if (cand !== h && this.partnerDeltas[i] < dx && fw.admits(a, w, cand)) {
        dx = this.partnerDeltas[i];
        x = cand;
      }
    }
    if (x < 0) {
      // None of w's peers' hosts or racks takes it (or w has no traffic): any admitting host, cheapest first.
      fw.objective.moveDeltas(a, w, this.allHosts, this.allHosts.length, this.allDeltas);
      for (let i = 0; i < this.allHosts.length; i++) {
        if (i !== h && i !== a.hostOf[w] && this.allDeltas[i] < dx && fw.admits(a, w, i)) {
          dx = this.allDeltas[i];
          x = i;
        }
      }
    }
    if (x < 0) return;
    const wFrom = a.hostOf[w];
    a.move(w, x);
    let total = -Infinity;
    if (fw.admits(a, u, h)) total = -(dx + fw.objective.moveDelta(a, u, h));
    a.move(w, wFrom);
    if (total > best.gain) {
      best.gain = total;
      best.host = h;
      best.partner = w;
      best.partnerHost = x;
      best.partnerGain = -dx;
    }
  }
}
