import type { Heartbeat, HostedVm } from "@ferry/protocol";

/**
 * Where a heartbeat's numbers come from: the node's load and each hosted VM's usage (CPU as a fraction of its
 * vCPUs, memory used, dirty rate, traffic to each peer). The simulated probe models them from the VMs'
 * workloads; the Linux probe reads the host's totals from /proc and /sys and keeps the workloads' per-VM
 * figures (a probe reading a hypervisor's per-guest statistics would replace those too).
 */
export interface HostProbe {
  sample(vms: readonly HostedVm[], atMs: number): Heartbeat;
}

export const HOST_PROBE = Symbol("HostProbe");
