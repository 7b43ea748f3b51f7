import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Score } from "./score";
import { SCORE_NAMES } from "./score";

/**
 * Load balance: sum over hosts of (cpu utilisation^2 + memory utilisation^2), unitless. For a fixed total load
 * the sum of squares is smallest when utilisations are equal, so lowering it spreads load; a host near full
 * weighs much more than two half-full ones.
 */
export function balanceScore(cluster: Cluster): Score {
  const R = cluster.resourceCount;
  const cap = cluster.hostCapacity;
  const dem = cluster.unitDemand;
  /** Term of host h with `dCpu`, `dMem` added to its use. */
  const term = (a: Assignment, h: number, dCpu: number, dMem: number): number => {
    const cpuCap = cap[h * R];
    const memCap = cap[h * R + 1];
    const c = cpuCap > 0 ? (a.used[h * R] + dCpu) / cpuCap : 0;
    const m = memCap > 0 ? (a.used[h * R + 1] + dMem) / memCap : 0;
    return c * c + m * m;
  };
  return {
    name: SCORE_NAMES.balance,
    total(a) {
      let sum = 0;
      for (let h = 0; h < cluster.hostIds.length; h++) sum += term(a, h, 0, 0);
      return sum;
    },
    moveDelta(a, u, h) {
      const from = a.hostOf[u];
      if (from === h) return 0;
      const cpu = dem[u * R];
      const mem = dem[u * R + 1];
      let d = 0;
      if (from >= 0) d += term(a, from, -cpu, -mem) - term(a, from, 0, 0);
      if (h >= 0) d += term(a, h, cpu, mem) - term(a, h, 0, 0);
      return d;
    },
    swapDelta(a, u, w) {
      const hu = a.hostOf[u];
      const hw = a.hostOf[w];
      const dCpu = dem[w * R] - dem[u * R];
      const dMem = dem[w * R + 1] - dem[u * R + 1];
      return term(a, hu, dCpu, dMem) - term(a, hu, 0, 0) + term(a, hw, -dCpu, -dMem) - term(a, hw, 0, 0);
    },
  };
}
