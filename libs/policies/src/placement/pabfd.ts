import type { OverloadDetector } from "../detectors/detector";
import type { ClusterModel } from "../model/cluster-model";
import type { TargetChooser } from "./target-chooser";

/**
 * Power-aware best-fit decreasing (PABFD, Beloglazov & Buyya), as CloudSim's
 * PowerVmAllocationPolicyMigrationAbstract.findHostForVm implements it:
 *  - a host qualifies if the VM fits (a core can hold one vCPU's demand, free MIPS, memory, bandwidth)
 *    and, unless the host was idle when the round started, the detector does not call it overloaded
 *    with the VM added;
 *  - among those, pick the smallest power increase P(u + d) - P(u), first host on ties.
 * The "decreasing" part (VMs sorted by demand) is the caller's. Faithful to CloudSim, u is the host's
 * utilisation measured at the start of the round: VMs already placed in this round do not change a
 * host's power estimate (they do count for fit and for the detector), and a host idle at the start
 * is never checked by the detector, so a switched-off host can take several VMs in one round.
 */
export function pabfd(detector: OverloadDetector): TargetChooser {
  return {
    name: "pabfd",
    choose(model: ClusterModel, vm: number, excluded: Uint8Array): number {
      const demand = model.vmDemandMips[vm]!;
      let best = -1;
      let bestDiff = Number.MAX_VALUE;
      for (let h = 0; h < model.hostCount; h++) {
        if (excluded[h] || !model.fits(vm, h)) continue;
        const capacity = model.capacityMips[h]!;
        const startMips = model.startAllocatedMips[h]!;
        const after = (startMips + demand) / capacity;
        if (after > 1) continue;
        const power = model.powerModels[h]!;
        const diff = power.powerW(after) - power.powerW(startMips / capacity);
        // Cheap test first: the detector only matters for a host that would win.
        if (!(diff < bestDiff)) continue;
        if (startMips !== 0 && detector.isOverloaded(model.hostLoad(h, vm))) continue;
        bestDiff = diff;
        best = h;
      }
      return best;
    },
    explain(model: ClusterModel, vm: number, host: number): string {
      const capacity = model.capacityMips[host]!;
      const startMips = model.startAllocatedMips[host]!;
      const power = model.powerModels[host]!;
      const diff = power.powerW((startMips + model.vmDemandMips[vm]!) / capacity) - power.powerW(startMips / capacity);
      return `pabfd: +${diff.toFixed(2)} W on ${model.hostIds[host]}`;
    },
  };
}
