import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Score } from "./score";
import { SCORE_NAMES } from "./score";

/**
 * Traffic cost (TVMPP's objective): sum over traffic rows of rate x distance(host of A, host of B), in
 * rate x switches. Pairs with an unplaced end cost nothing. A move costs O(degree) distance look-ups.
 *
 * Batch pricing under an exact hierarchy (tree-like fabrics): with c_0 < ... < c_L the costs per level,
 *   sum_v w_v d(h, h_v) = c_L W - sum_l (c_{l+1} - c_l) W_l(group_l(h)) - c_0 W_host(h)
 * where W is the total weight of u's placed neighbours, W_l(g) the weight of those in level-l group g and
 * W_host(h) of those on h. One pass over the neighbours fills the W's; then every candidate host is O(levels).
 */
export function trafficScore(cluster: Cluster): Score {
  const topo = cluster.topology;
  const { adjStart, adjTo, adjW, adjWIn } = cluster;
  const hier = topo.hierarchy;
  const batch = hier.exact && !adjWIn;
  const levels = hier.groupOf.length;
  const levelAcc = batch ? hier.groupCount.map((n) => new Float64Array(n)) : [];
  const hostAcc = new Float64Array(batch ? cluster.hostIds.length : 0);
  const step = hier.costAtLevel.map((c, l) => (l < levels ? hier.costAtLevel[l + 1] - c : 0));
  const touched: number[] = [];

  /** Cost of u's links if u sat on h (h >= 0), other units where they are. */
  const linkCost = (a: Assignment, u: number, h: number): number => {
    const hostOf = a.hostOf;
    let sum = 0;
    for (let e = adjStart[u]; e < adjStart[u + 1]; e++) {
      const hv = hostOf[adjTo[e]];
      if (hv < 0) continue;
      sum += adjW[e] * topo.distance(h, hv);
      if (adjWIn) sum += adjWIn[e] * topo.distance(hv, h);
    }
    return sum;
  };

  const score: Score = {
    name: SCORE_NAMES.traffic,
    total(a) {
      let sum = 0;
      for (let u = 0; u < cluster.unitCount; u++) {
        const hu = a.hostOf[u];
        if (hu < 0) continue;
        for (let e = adjStart[u]; e < adjStart[u + 1]; e++) {
          const hv = a.hostOf[adjTo[e]];
          if (hv < 0) continue;
          // Symmetric: each pair is listed at both ends with the total rate; count it once.
          if (!adjWIn) {
            if (adjTo[e] > u) sum += adjW[e] * topo.distance(hu, hv);
          } else sum += adjW[e] * topo.distance(hu, hv);
        }
      }
      return sum;
    },
    moveDelta(a, u, h) {
      const from = a.hostOf[u];
      if (from === h) return 0;
      return (h >= 0 ? linkCost(a, u, h) : 0) - (from >= 0 ? linkCost(a, u, from) : 0);
    },
    swapDelta(a, u, w) {
      const hu = a.hostOf[u];
      const hw = a.hostOf[w];
      let x = 0;
      for (let e = adjStart[u]; e < adjStart[u + 1]; e++) {
        if (adjTo[e] === w) {
          x = adjW[e] + (adjWIn ? adjWIn[e] : 0);
          break;
        }
      }
      // The two one-sided deltas each price the u-w link as if the other stayed put; add it back.
      const correction = adjWIn ? x * (topo.distance(hu, hw) + topo.distance(hw, hu)) : 2 * x * topo.distance(hu, hw);
      return score.moveDelta(a, u, hw) + score.moveDelta(a, w, hu) + correction;
    },
  };
  if (!batch) return score;

  score.moveDeltas = (a, u, hosts, count, out) => {
    const hostOf = a.hostOf;
    let W = 0;
    for (let e = adjStart[u]; e < adjStart[u + 1]; e++) {
      const hv = hostOf[adjTo[e]];
      if (hv < 0) continue;
      const w = adjW[e];
      W += w;
      if (hostAcc[hv] === 0) touched.push(hv);
      hostAcc[hv] += w;
      for (let l = 0; l < levels; l++) levelAcc[l][hier.groupOf[l][hv]] += w;
    }
    const cL = hier.costAtLevel[levels];
    const c0 = hier.costAtLevel[0];
    const costAt = (h: number): number => {
      let c = cL * W - c0 * hostAcc[h];
      for (let l = 0; l < levels; l++) c -= step[l] * levelAcc[l][hier.groupOf[l][h]];
      return c;
    };
    const from = hostOf[u];
    const base = from >= 0 ? costAt(from) : 0;
    for (let i = 0; i < count; i++) {
      const h = hosts[i];
      out[i] = h === from ? 0 : (h >= 0 ? costAt(h) : 0) - base;
    }
    for (const hv of touched) {
      hostAcc[hv] = 0;
      for (let l = 0; l < levels; l++) levelAcc[l][hier.groupOf[l][hv]] = 0;
    }
    touched.length = 0;
  };
  return score;
}
