import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/** Only active hosts take VMs; a unit already on a host in another state may stay (a policy drains it, not us). */
export function hostStateFilter(): Filter {
  return {
    name: FILTER_NAMES.hostState,
    admits: (a, u, h) => a.cluster.hostActive[h] === 1 || a.hostOf[u] === h,
    reason: (a, _u, h) => `host is ${a.cluster.hostState[h]}, only active hosts take VMs`,
  };
}
