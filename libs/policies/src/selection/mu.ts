import type { ClusterModel } from "../model/cluster-model";
import type { VmSelector } from "./selector";

/** Minimum utilisation (MU): the VM using the smallest share of its own capacity right now. */
export function mu(): VmSelector {
  return {
    name: "mu",
    select(model: ClusterModel, host: number): number {
      let best = -1;
      let lowest = Infinity;
      for (const vm of model.hostVms[host]!) {
        if (model.vmMigrating[vm]) continue;
        const u = model.vmUtilization[vm]!;
        if (u < lowest) {
          lowest = u;
          best = vm;
        }
      }
      return best;
    },
  };
}
