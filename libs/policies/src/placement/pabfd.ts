import type { OverloadDetector } from "../detectors/detector";
import type { ClusterModel } from "../model/cluster-model";
import type { TargetChooser } from "./target-chooser";

/**
 * Power-aware best-fit decreasing (PABFD, Beloglazov & Buyya), as CloudSim 3.0.3's
 * PowerVmAllocationPolicyMigrationAbstract.findHostForVm implements it:
 *  - a host qualifies if the VM fits (a core can hold one vCPU's demand, free MIPS, memory, bandwidth)
 *    and, unless no CPU is allocated on it yet, the detector does not call it overloaded with the VM added;
 *  - among those, pick the smallest power increase P(a + d) - P(u), first host on ties.
 * Here a is the CPU allocated on the host *including the VMs already placed in this round*
 * (CloudSim's getUtilizationOfCpuMips(host): "the current potentially allocated VMs"), while u, the
 * host's current power, is the utilisation measured at the start of the round (PowerHost.getPower()).
 * So a host that was idle at the start gets dearer with every VM it takes in the round, and a round's
 * VMs spread over idle hosts rather than piling onto one.
 * The "decreasing" part (VMs sorted by demand) is the caller's.
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
        const allocated = model.allocatedMips(h);
        const after = (allocated + demand) / capacity;
        if (after > 1) continue;
        const power = model.powerModels[h]!;
        const diff = power.powerW(after) - power.powerW(model.startAllocatedMips[h]! / capacity);
        // Cheap test first: the detector only matters for a host that would win.
        if (!(diff < bestDiff)) continue;
        if (allocated !== 0 && detector.isOverloaded(model.hostLoad(h, vm))) continue;
        bestDiff = diff;
        best = h;
      }
      return best;
    },
    explain(model: ClusterModel, vm: number, host: number): string {
      const capacity = model.capacityMips[host]!;
      const power = model.powerModels[host]!;
      // Called once the VM is placed: the allocation then already holds it.
      const others = model.allocatedMips(host) - (model.vmHost[vm] === host ? model.cappedDemandMips(vm, host) : 0);
      const diff =
        power.powerW(Math.min(1, (others + model.vmDemandMips[vm]!) / capacity)) -
        power.powerW(model.startAllocatedMips[host]! / capacity);
      return `pabfd: +${diff.toFixed(2)} W on ${model.hostIds[host]}`;
    },
  };
}
