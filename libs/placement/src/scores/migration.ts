import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Score } from "./score";
import { SCORE_NAMES } from "./score";

/**
 * Migration cost: memory (MiB) of the VMs that run now and would end on another host, i.e. the memory a live
 * migration copies at least once. New VMs (no current host) and unplaced units cost nothing.
 */
export function migrationScore(cluster: Cluster): Score {
  const { unitVmStart, unitVms, vmCurrentHost, vmMemMiB } = cluster;
  /** Memory of u's VMs that would be moved if u sat on h. */
  const moved = (u: number, h: number): number => {
    if (h < 0) return 0;
    let sum = 0;
    for (let k = unitVmStart[u]; k < unitVmStart[u + 1]; k++) {
      const v = unitVms[k];
      if (vmCurrentHost[v] >= 0 && vmCurrentHost[v] !== h) sum += vmMemMiB[v];
    }
    return sum;
  };
  return {
    name: SCORE_NAMES.migration,
    total(a: Assignment) {
      let sum = 0;
      for (let u = 0; u < cluster.unitCount; u++) sum += moved(u, a.hostOf[u]);
      return sum;
    },
    moveDelta: (a, u, h) => moved(u, h) - moved(u, a.hostOf[u]),
    swapDelta(a, u, w) {
      const hu = a.hostOf[u];
      const hw = a.hostOf[w];
      return moved(u, hw) - moved(u, hu) + moved(w, hu) - moved(w, hw);
    },
  };
}
