import type { HostSpec, VmSpec } from "./datacenter";

/**
 * Where VMs start, before any policy runs. Both rules see each VM's nominal MIPS, memory and bandwidth,
 * as CloudSim does while a VM is being instantiated.
 *  - "first-fit": CloudSim's PowerVmAllocationPolicySimple (used for DVFS and NPA).
 *  - "power-aware-best-fit": the migration policies' findHostForVm at time 0 (CloudSim 3.0.3). No host
 *    has been measured yet, so every host's current power is its idle power, while the power after
 *    allocation counts the VMs already placed on it (getUtilizationOfCpuMips: allocated MIPS, nominal
 *    while a VM is being created): each VM goes where P(placed + vm) - P(0) is least, which is an empty
 *    host of the type it costs least on while there is one. VMs are spread one per host before any host
 *    takes a second. CloudSim's overload check after allocation cannot fire here: the VMs already placed
 *    request nothing until their cloudlets arrive, and no single VM type fills 70 % of a host.
 */
export type InitialPlacementRule = "first-fit" | "power-aware-best-fit";

/** Host index per VM, -1 where no host could take the VM (CloudSim then does not run it). */
export function initialPlacement(rule: InitialPlacementRule, hosts: readonly HostSpec[], vms: readonly VmSpec[]): Int32Array {
  const H = hosts.length;
  const freeMips = Float64Array.from(hosts, (h) => h.cores * h.mipsPerCore);
  const freeRam = Float64Array.from(hosts, (h) => h.memMiB);
  const freeBandwidth = Float64Array.from(hosts, (h) => h.bandwidthMbps);
  const placement = new Int32Array(vms.length).fill(-1);
  vms.forEach((vm, v) => {
    let best = -1;
    let bestDiff = Number.MAX_VALUE;
    for (let h = 0; h < H; h++) {
      const host = hosts[h]!;
      const fits =
        host.mipsPerCore >= vm.mips / vm.vcpus &&
        freeMips[h]! >= vm.mips &&
        freeRam[h]! >= vm.memMiB &&
        freeBandwidth[h]! >= vm.bandwidthMbps;
      if (!fits) continue;
      if (rule === "first-fit") {
        best = h;
        break;
      }
      const capacity = host.cores * host.mipsPerCore;
      const after = (capacity - freeMips[h]! + vm.mips) / capacity;
      if (after > 1) continue;
      const diff = host.powerModel.powerW(after) - host.powerModel.powerW(0);
      if (diff < bestDiff) {
        bestDiff = diff;
        best = h;
      }
    }
    if (best < 0) return;
    placement[v] = best;
    freeMips[best] = freeMips[best]! - vm.mips;
    freeRam[best] = freeRam[best]! - vm.memMiB;
    freeBandwidth[best] = freeBandwidth[best]! - vm.bandwidthMbps;
  });
  return placement;
}
