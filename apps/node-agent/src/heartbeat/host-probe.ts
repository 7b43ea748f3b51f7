import type { Heartbeat, HostedVm } from "@ferry/protocol";

/**
 * Where a heartbeat's numbers come from: the node's load and each hosted VM's usage (CPU as a fraction of its
 * vCPUs, memory used, dirty rate, traffic to each peer). The simulated probe models them from the VMs'
 * workloads; a real probe (reading /proc, RAPL or IPMI, the NIC counters, and the hypervisor's per-guest
 * statistics) implements the same interface and ignores the workloads.
 */
export interface HostProbe {
  sample(vms: readonly HostedVm[], atMs: number): Heartbeat;
}

export const HOST_PROBE = Symbol("HostProbe");
