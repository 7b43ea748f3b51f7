import type { ClusterModel } from "../model/cluster-model";
import type { Rng } from "@ferry/random";

/**
 * Picks the next VM to move off an overloaded host (CloudSim's PowerVmSelectionPolicy). Called repeatedly
 * on the tentative placement until the detector is satisfied; returns -1 when nothing can move.
 */
export interface VmSelector {
  readonly name: string;
  select(model: ClusterModel, host: number, rng: Rng): number;
}

/** VMs already migrating cannot be picked. */
export function movableVms(model: ClusterModel, host: number): number[] {
  return model.hostVms[host]!.filter((vm) => model.vmMigrating[vm] === 0);
}
