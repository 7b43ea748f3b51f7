import type { Assignment } from "../model/assignment";
import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/**
 * Affinity groups share one host: a unit may go to h only if every placed member of its affinity groups is on h.
 * Solvers contract each group into one unit, so there the check is trivially true; it matters for one-VM
 * placement, where the new VM is a unit of its own.
 */
export function affinityFilter(): Filter {
  return {
    name: FILTER_NAMES.affinity,
    admits: (a, u, h) => blockingMember(a, u, h) === -1,
    reason(a, u, h) {
      const c = a.cluster;
      const w = blockingMember(a, u, h);
      const g = groupWith(a, u, w);
      return `affinity group "${c.affinityGroupNames[g]}" runs on host "${c.hostIds[a.hostOf[w]]}"`;
    },
  };
}

function blockingMember(a: Assignment, u: number, h: number): number {
  const c = a.cluster;
  for (let k = c.unitAffinityStart[u]; k < c.unitAffinityStart[u + 1]; k++) {
    const g = c.unitAffinity[k];
    for (let m = c.affinityStart[g]; m < c.affinityStart[g + 1]; m++) {
      const w = c.affinityUnits[m];
      if (w !== u && a.hostOf[w] >= 0 && a.hostOf[w] !== h) return w;
    }
  }
  return -1;
}

function groupWith(a: Assignment, u: number, w: number): number {
  const c = a.cluster;
  for (let k = c.unitAffinityStart[u]; k < c.unitAffinityStart[u + 1]; k++) {
    const g = c.unitAffinity[k];
    for (let m = c.affinityStart[g]; m < c.affinityStart[g + 1]; m++) if (c.affinityUnits[m] === w) return g;
  }
  return -1;
}
