import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/** A VM that names a hypervisor kind goes only to hosts of that kind (a host that names none is not a match). */
export function hypervisorFilter(): Filter {
  return {
    name: FILTER_NAMES.hypervisor,
    admits: (a, u, h) => {
      const want = a.cluster.unitHypervisor[u];
      return want === -1 || want === a.cluster.hostHypervisor[h];
    },
    reason(a, u, h) {
      const c = a.cluster;
      const have = c.hostHypervisor[h];
      return `needs hypervisor ${c.hypervisorNames[c.unitHypervisor[u]]}, host runs ${have === -1 ? "an unknown kind" : c.hypervisorNames[have]}`;
    },
  };
}
