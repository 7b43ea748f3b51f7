import type { ClusterModel } from "../model/cluster-model";
import type { TargetChooser } from "../placement/target-chooser";

export interface Evacuation {
  readonly host: number;
  /** [vm, target] pairs, in placement order; empty when the host could not be emptied. */
  readonly placements: ReadonlyArray<readonly [number, number]>;
}

/**
 * Under-load consolidation as CloudSim's getMigrationMapFromUnderUtilizedHosts does it: repeatedly take
 * the least utilised host (utilisation at the start of the round, strictly between 0 and 1) that is not
 * excluded, try to place all its VMs elsewhere (largest demand first), and keep the placements only if
 * every VM found a host; the host is then empty and can be switched off. A host that has been tried, or
 * emptied, no longer receives VMs, and hosts that received VMs here are not emptied in the same round.
 *
 * Which hosts may not be emptied is the caller's `excludedAsSource`. CloudSim meant to exclude hosts that
 * took VMs from overloaded hosts but adds them from an empty list, so such a host can be emptied, moving
 * the VM it just received a second time; migrationHeuristic leaves them out of `excludedAsSource` only
 * with `cloudSimQuirks`.
 */
export function evacuateUnderloadedHosts(
  model: ClusterModel,
  chooser: TargetChooser,
  excludedAsSource: Uint8Array,
  excludedAsTarget: Uint8Array,
): Evacuation[] {
  const evacuations: Evacuation[] = [];
  for (;;) {
    let host = -1;
    let lowest = 1;
    for (let h = 0; h < model.hostCount; h++) {
      if (excludedAsSource[h]) continue;
      const u = model.startUtilization(h);
      if (u > 0 && u < lowest) {
        lowest = u;
        host = h;
      }
    }
    if (host < 0) break;
    excludedAsSource[host] = 1;
    excludedAsTarget[host] = 1;
    const vms = model.hostVms[host]!.filter((vm) => model.vmMigrating[vm] === 0);
    if (vms.length === 0) continue;
    sortByDemandDecreasing(model, vms);
    const placements: Array<readonly [number, number]> = [];
    for (const vm of vms) {
      const target = chooser.choose(model, vm, excludedAsTarget);
      if (target < 0) {
        for (let i = placements.length - 1; i >= 0; i--) model.attach(placements[i]![0], host);
        placements.length = 0;
        break;
      }
      model.attach(vm, target);
      placements.push([vm, target]);
    }
    for (const [, target] of placements) excludedAsSource[target] = 1;
    evacuations.push({ host, placements });
  }
  return evacuations;
}

/** Stable sort by current demand, largest first (CloudSim's PowerVmList.sortByCpuUtilization). */
export function sortByDemandDecreasing(model: ClusterModel, vms: number[]): void {
  vms.sort((a, b) => model.vmDemandMips[b]! - model.vmDemandMips[a]!);
}
