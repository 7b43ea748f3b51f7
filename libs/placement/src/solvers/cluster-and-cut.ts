import type { Assignment } from "../model/assignment";
import { allHosts, newCandidates, placeBest, unplaceAll } from "./constructive";
import { MaxHeap } from "./heap";
import type { SearchContext, Solver, SolverReport } from "./solver";

/**
 * Cluster-and-Cut (Meng, Pappas, Zhang, INFOCOM 2010), the two-tier divide and conquer for TVMPP:
 *  1. Cluster slots by cost: the topology's host groups (rack, pod, ...) are the clusters, nested, so hosts in
 *     one cluster are closer to each other than to hosts outside it.
 *  2. Cut VMs into matching clusters by traffic: split the units into one part per child cluster, each part
 *     within the child's capacity, minimising the traffic that crosses parts.
 *  3. Recurse into every child with its part, down to single hosts.
 *
 * Differences from the paper, and why: the paper cuts with a min k-cut from a Gomory-Hu tree over equal-size
 * slots (one VM per slot, O(n^4)); here hosts hold several VMs of different sizes on several resources, and
 * instances reach tens of thousands of VMs. So the cut is capacity-constrained graph growing (each part grows
 * from its heaviest free unit by adding the free unit most connected to it, while it fits) followed by
 * boundary refinement (move a unit to the part it talks to most, if that part has room), O(E log E) per level.
 * Upper levels fill every child to the same fraction of its capacity plus `slack`, so each subtree keeps room
 * for bin-packing at the leaves; units that fit no host of their subtree (or that a filter rejects there) are
 * placed afterwards on their cheapest admitting host anywhere.
 */
export interface ClusterAndCutOptions {
  /** Extra fill above the average utilisation allowed per child cluster. */
  readonly slack?: number;
  readonly refinePasses?: number;
}

const EPS = 1e-9;

export class ClusterAndCut implements Solver {
  readonly name = "cluster-and-cut";
  private localOf = new Int32Array(0);
  private readonly heap = new MaxHeap();

  constructor(private readonly opts: ClusterAndCutOptions = {}) {}

  run(ctx: SearchContext, a: Assignment): SolverReport {
    const start = ctx.clock.nowMs();
    const c = ctx.cluster;
    const H = c.hostIds.length;
    const R = c.resourceCount;
    const hier = c.topology.hierarchy;
    const L = hier.groupOf.length;
    unplaceAll(a);
    this.localOf = new Int32Array(c.unitCount).fill(-1);

    // The cluster tree: level l groups (0 finest), hosts below level 0, one root above level L - 1.
    // Only active hosts count: nothing may be placed on the others.
    const children: number[][][] = []; // children[l][g]: level l-1 groups, or hosts for l = 0
    for (let l = 0; l < L; l++) children.push(Array.from({ length: hier.groupCount[l] }, () => []));
    const capOf: Float64Array[] = hier.groupCount.map((n) => new Float64Array(n * R));
    for (let h = 0; h < H; h++) {
      if (!c.hostActive[h]) continue;
      if (L > 0) children[0][hier.groupOf[0][h]].push(h);
      for (let l = 0; l < L; l++) {
        const g = hier.groupOf[l][h];
        for (let r = 0; r < R; r++) capOf[l][g * R + r] += c.hostCapacity[h * R + r];
      }
    }
    for (let l = 1; l < L; l++) {
      const seen = new Uint8Array(hier.groupCount[l - 1]);
      for (let h = 0; h < H; h++) {
        const child = hier.groupOf[l - 1][h];
        if (!c.hostActive[h] || seen[child]) continue;
        seen[child] = 1;
        children[l][hier.groupOf[l][h]].push(child);
      }
    }
    const rootChildren: number[] = [];
    if (L === 0) {
      for (let h = 0; h < H; h++) if (c.hostActive[h]) rootChildren.push(h);
    } else {
      const seen = new Uint8Array(hier.groupCount[L - 1]);
      for (let h = 0; h < H; h++) {
        const g = hier.groupOf[L - 1][h];
        if (c.hostActive[h] && !seen[g]) {
          seen[g] = 1;
          rootChildren.push(g);
        }
      }
    }
    const hostCap = (h: number, out: Float64Array, k: number): void => {
      for (let r = 0; r < R; r++) out[k * R + r] = c.hostCapacity[h * R + r];
    };

    const weight = new Float64Array(c.unitCount);
    for (let u = 0; u < c.unitCount; u++) for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) weight[u] += c.adjW[e];

    const spilled: number[] = [];
    // Each stack entry: units to place under the node (level, group); level L is the root.
    const stack: { level: number; group: number; units: Int32Array }[] = [
      { level: L, group: 0, units: Int32Array.from({ length: c.unitCount }, (_, u) => u) },
    ];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.units.length === 0) continue;
      const kids = node.level === L ? rootChildren : children[node.level][node.group];
      const leaf = node.level === 0 || (L === 0 && node.level === L);
      const caps = new Float64Array(kids.length * R);
      kids.forEach((k, i) => {
        if (leaf) hostCap(k, caps, i);
        else for (let r = 0; r < R; r++) caps[i * R + r] = capOf[node.level - 1][k * R + r];
      });
      const part = this.partition(ctx, node.units, caps, kids.length, leaf, weight);
      const buckets: number[][] = kids.map(() => []);
      node.units.forEach((u, i) => (part[i] < 0 ? spilled.push(u) : buckets[part[i]].push(u)));
      if (leaf) {
        buckets.forEach((us, i) => {
          for (const u of us) {
            if (ctx.framework.admits(a, u, kids[i])) a.move(u, kids[i]);
            else spilled.push(u);
          }
        });
      } else {
        buckets.forEach((us, i) => stack.push({ level: node.level - 1, group: kids[i], units: Int32Array.from(us) }));
      }
    }

    // Units that fit nowhere in their subtree: largest first, on their cheapest admitting host anywhere.
    const size = (u: number): number => {
      let s = 0;
      for (let r = 0; r < R; r++) s += c.unitDemand[u * R + r] / Math.max(1e-9, c.hostCapacity[r]);
      return s;
    };
    spilled.sort((x, y) => size(y) - size(x) || x - y);
    const cands = newCandidates(ctx);
    const all = allHosts(ctx);
    const scratch = new Float64Array(Math.max(all.length, cands.cap));
    for (const u of spilled) placeBest(ctx, a, u, cands, all, scratch);
    return { solver: this.name, objective: ctx.framework.objective.total(a), iterations: 1, elapsedMs: ctx.clock.nowMs() - start };
  }

  /**
   * Splits `units` into K parts with capacities caps[k * R + r] (exact at the leaves, else each part's fair
   * share plus slack), minimising traffic between parts. Returns the part of each unit, -1 if it fits none.
   */
  private partition(ctx: SearchContext, units: Int32Array, caps: Float64Array, K: number, exact: boolean, weight: Float64Array): Int32Array {
    const c = ctx.cluster;
    const R = c.resourceCount;
    const m = units.length;
    const dem = c.unitDemand;
    const localOf = this.localOf;
    units.forEach((u, i) => (localOf[u] = i));
    const part = new Int32Array(m).fill(-1);
    if (K === 0) {
      units.forEach((u) => (localOf[u] = -1));
      return part;
    }
    const limit = new Float64Array(K * R);
    const hard = caps;
    const slack = this.opts.slack ?? 0.04;
    for (let r = 0; r < R; r++) {
      let D = 0;
      let C = 0;
      for (let i = 0; i < m; i++) D += dem[units[i] * R + r];
      for (let k = 0; k < K; k++) C += caps[k * R + r];
      const fill = exact || C <= 0 ? 1 : Math.min(1, D / C + slack);
      for (let k = 0; k < K; k++) limit[k * R + r] = caps[k * R + r] * fill;
    }
    const used = new Float64Array(K * R);
    const fits = (k: number, i: number, bound: Float64Array): boolean => {
      const u = units[i];
      for (let r = 0; r < R; r++) if (used[k * R + r] + dem[u * R + r] > bound[k * R + r] + EPS) return false;
      return true;
    };
    const assign = (k: number, i: number, sign: number): void => {
      const u = units[i];
      for (let r = 0; r < R; r++) used[k * R + r] += sign * dem[u * R + r];
    };
    const heavy = Int32Array.from({ length: m }, (_, i) => i).sort((x, y) => weight[units[y]] - weight[units[x]] || x - y);
    const partOrder = Array.from({ length: K }, (_, k) => k);
    const capScore = (k: number): number => {
      let s = 0;
      for (let r = 0; r < R; r++) s += caps[k * R + r];
      return s;
    };
    partOrder.sort((x, y) => capScore(y) - capScore(x) || x - y);

    // Graph growing.
    const gain = new Float64Array(m);
    const rejected = new Int32Array(m).fill(-1);
    const heap = this.heap;
    for (const k of partOrder) {
      heap.clear();
      gain.fill(0);
      let seedPtr = 0;
      for (;;) {
        let x = -1;
        while (heap.size > 0) {
          const g = heap.topKey();
          const v = heap.topValue();
          heap.pop();
          if (part[v] === -1 && rejected[v] !== k && gain[v] === g) {
            x = v;
            break;
          }
        }
        while (x < 0 && seedPtr < m) {
          const y = heavy[seedPtr++];
          if (part[y] === -1 && rejected[y] !== k) x = y;
        }
        if (x < 0) break;
        if (!fits(k, x, limit)) {
          rejected[x] = k;
          continue;
        }
        part[x] = k;
        assign(k, x, 1);
        const u = units[x];
        for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) {
          const ly = localOf[c.adjTo[e]];
          if (ly >= 0 && part[ly] === -1 && rejected[ly] !== k) {
            gain[ly] += c.adjW[e];
            heap.push(gain[ly], ly);
          }
        }
      }
    }

    // Leftovers: the part they talk to most that still has hard room.
    const conn = new Float64Array(K);
    const connOf = (i: number): void => {
      conn.fill(0);
      const u = units[i];
      for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) {
        const ly = localOf[c.adjTo[e]];
        if (ly >= 0 && part[ly] >= 0) conn[part[ly]] += c.adjW[e];
      }
    };
    for (const i of heavy) {
      if (part[i] >= 0) continue;
      connOf(i);
      let best = -1;
      for (let k = 0; k < K; k++) if (fits(k, i, hard) && (best < 0 || conn[k] > conn[best])) best = k;
      if (best >= 0) {
        part[i] = best;
        assign(best, i, 1);
      }
    }

    // Boundary refinement: move a unit to the part it talks to most if that part is within its limit.
    const passes = this.opts.refinePasses ?? 2;
    for (let pass = 0; pass < passes; pass++) {
      let movedAny = false;
      for (const i of heavy) {
        const cur = part[i];
        if (cur < 0) continue;
        connOf(i);
        let best = cur;
        for (let k = 0; k < K; k++) if (k !== cur && conn[k] > conn[best] + EPS && fits(k, i, exact ? hard : limit)) best = k;
        if (best !== cur) {
          assign(cur, i, -1);
          assign(best, i, 1);
          part[i] = best;
          movedAny = true;
        }
      }
      if (!movedAny) break;
    }
    units.forEach((u) => (localOf[u] = -1));
    return part;
  }
}
