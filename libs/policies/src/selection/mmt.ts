import type { ClusterModel } from "../model/cluster-model";
import type { VmSelector } from "./selector";

/**
 * Minimum migration time (MMT): the VM that the cost model says moves fastest. With CloudSim's memory /
 * bandwidth model that is the VM with the least RAM; ties go to the VM that arrived on the host first.
 */
export function mmt(): VmSelector {
  return {
    name: "mmt",
    select(model: ClusterModel, host: number): number {
      let best = -1;
      let bestMs = Infinity;
      for (const vm of model.hostVms[host]!) {
        if (model.vmMigrating[vm]) continue;
        const ms = model.migrationTimeMs(vm, host);
        if (ms < bestMs) {
          bestMs = ms;
          best = vm;
        }
      }
      return best;
    },
  };
}
