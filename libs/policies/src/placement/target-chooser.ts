import type { ClusterModel } from "../model/cluster-model";

/**
 * Chooses where a VM goes (CloudSim's findHostForVm). Works on the tentative placement: the caller
 * attaches the VM to the returned host before asking about the next VM. Returns -1 when no host fits.
 * This is also the seam for @ferry/placement (see adapters/ferry-placement.ts).
 */
export interface TargetChooser {
  readonly name: string;
  choose(model: ClusterModel, vm: number, excluded: Uint8Array): number;
  /** Why `host` was chosen for `vm`, for the plan. */
  explain(model: ClusterModel, vm: number, host: number): string;
}
