import type { Heartbeat, HostedVm } from "@ferry/protocol";

/**
 * Where a heartbeat's numbers come from. The simulated probe models the hosted VMs; a real probe (reading
 * /proc, RAPL or IPMI, and the NIC counters) implements the same interface.
 */
export interface HostProbe {
  sample(vms: readonly HostedVm[], atMs: number): Heartbeat;
}

export const HOST_PROBE = Symbol("HostProbe");
