import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/**
 * Only active hosts take VMs. A unit may stay on (or, in a search from scratch, return to) the host it runs on
 * now whatever that host's state: emptying cordoned or draining hosts is a policy's decision, not placement's.
 */
export function hostStateFilter(): Filter {
  return {
    name: FILTER_NAMES.hostState,
    admits: (a, u, h) => a.cluster.hostActive[h] === 1 || a.hostOf[u] === h || a.cluster.unitCurrentHost[u] === h,
    reason: (a, _u, h) => `host is ${a.cluster.hostState[h]}, only active hosts take VMs`,
  };
}
