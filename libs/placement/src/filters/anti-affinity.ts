import type { Assignment } from "../model/assignment";
import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/** Members of an anti-affinity group never share a host. */
export function antiAffinityFilter(): Filter {
  return {
    name: FILTER_NAMES.antiAffinity,
    admits: (a, u, h) => conflictingGroup(a, u, h) === -1,
    reason: (a, u, h) => `anti-affinity group "${a.cluster.antiGroupNames[conflictingGroup(a, u, h)]}" already has a member on this host`,
  };
}

function conflictingGroup(a: Assignment, u: number, h: number): number {
  const c = a.cluster;
  const self = a.hostOf[u] === h ? 1 : 0;
  for (let k = c.unitAntiStart[u]; k < c.unitAntiStart[u + 1]; k++) {
    if (a.antiCount(c.unitAnti[k], h) - self > 0) return c.unitAnti[k];
  }
  return -1;
}
