import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Score } from "./score";
import { SCORE_NAMES } from "./score";

/**
 * Energy (watts), linear power model: a host with at least one VM draws idle + (max - idle) x cpu utilisation
 * (capped at 1); an empty host is assumed switched off and draws 0. The idle part rewards packing VMs on fewer
 * hosts. Defaults per host: 100 W idle, 250 W at full load (Host.powerIdleW / powerMaxW).
 */
export function energyScore(cluster: Cluster): Score {
  const R = cluster.resourceCount;
  const { hostCapacity: cap, unitDemand: dem, hostIdleW, hostMaxW } = cluster;
  /** Power of host h after adding `units` units and `dCpu` cpu. */
  const power = (a: Assignment, h: number, units: number, dCpu: number): number => {
    if (a.unitCountOn[h] + units <= 0) return 0;
    const c = cap[h * R] > 0 ? Math.min(1, (a.used[h * R] + dCpu) / cap[h * R]) : 1;
    return hostIdleW[h] + (hostMaxW[h] - hostIdleW[h]) * c;
  };
  return {
    name: SCORE_NAMES.energy,
    total(a) {
      let sum = 0;
      for (let h = 0; h < cluster.hostIds.length; h++) sum += power(a, h, 0, 0);
      return sum;
    },
    moveDelta(a, u, h) {
      const from = a.hostOf[u];
      if (from === h) return 0;
      const cpu = dem[u * R];
      let d = 0;
      if (from >= 0) d += power(a, from, -1, -cpu) - power(a, from, 0, 0);
      if (h >= 0) d += power(a, h, 1, cpu) - power(a, h, 0, 0);
      return d;
    },
    swapDelta(a, u, w) {
      const hu = a.hostOf[u];
      const hw = a.hostOf[w];
      const dCpu = dem[w * R] - dem[u * R];
      return power(a, hu, 0, dCpu) - power(a, hu, 0, 0) + power(a, hw, 0, -dCpu) - power(a, hw, 0, 0);
    },
  };
}
