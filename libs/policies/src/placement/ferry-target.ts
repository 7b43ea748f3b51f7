import type { DemandForecast } from "../forecast/vm-demand";
import type { ClusterModel } from "../model/cluster-model";
import type { TargetChooser } from "./target-chooser";

export interface FerryTargetOptions {
  /** Margin in standard deviations of the host's forecast. */
  readonly z: number;
  /** A target's forecast peak must stay below this share of its capacity. */
  readonly fill: number;
}

/**
 * Ferry's target choice (a stand-in until @ferry/placement lands; see adapters/ferry-placement.ts):
 *  - filter: the VM fits now (CloudSim's rule), every vCPU of it could run at the VM's full nominal speed
 *    on one core of the host (so it is never capped there, whatever its demand does later), and the
 *    host's forecast peak with the VM stays under `fill` x capacity;
 *  - score: a running host beats waking one (an idle ML110 still draws 86-94 W); among running hosts the
 *    fullest by forecast wins (best fit leaves whole hosts free to switch off); to wake, the most
 *    energy-efficient type at full load (MIPS per watt) goes first, then the lowest index.
 */
export function ferryTarget(forecast: DemandForecast, options: FerryTargetOptions): TargetChooser {
  const { z, fill } = options;
  const eligible = (model: ClusterModel, vm: number, h: number): boolean =>
    model.fits(vm, h) &&
    model.peMips[h]! * model.vmVcpus[vm]! >= model.vmMips[vm]! &&
    forecast.hostPeak(h, z, vm) <= fill * model.capacityMips[h]!;
  return {
    name: "ferry-target",
    choose(model: ClusterModel, vm: number, excluded: Uint8Array): number {
      let bestRunning = -1;
      let bestHeadroom = Infinity;
      let bestIdle = -1;
      let bestEfficiency = -Infinity;
      for (let h = 0; h < model.hostCount; h++) {
        if (excluded[h]) continue;
        const running = model.hostVms[h]!.length > 0;
        if (!running && bestRunning >= 0) continue;
        if (!eligible(model, vm, h)) continue;
        if (running) {
          const headroom = fill * model.capacityMips[h]! - forecast.hostPeak(h, z, vm);
          if (headroom < bestHeadroom) {
            bestHeadroom = headroom;
            bestRunning = h;
          }
        } else {
          const efficiency = model.capacityMips[h]! / model.powerModels[h]!.maxW;
          if (efficiency > bestEfficiency) {
            bestEfficiency = efficiency;
            bestIdle = h;
          }
        }
      }
      return bestRunning >= 0 ? bestRunning : bestIdle;
    },
    explain(model: ClusterModel, vm: number, host: number): string {
      const peak = forecast.hostPeak(host, z);
      return `ferry-target: ${model.hostIds[host]} forecast peak ${((peak / model.capacityMips[host]!) * 100).toFixed(1)}% of capacity with the VM`;
    },
  };
}
