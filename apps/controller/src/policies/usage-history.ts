import type { UsageWindow } from "./live-policy";

export const USAGE_HISTORY = Symbol("UsageHistory");

/**
 * Where a policy's CPU history comes from: for each VM, `window.points` averages of `window.intervalS`
 * seconds each, oldest first, ending at `now`, as a share of the VM's vCPUs. A VM with no samples in an
 * interval has no point for it; a VM with none at all is missing from the map.
 */
export interface UsageHistory {
  cpuHistory(vmIds: readonly string[], window: UsageWindow, now: Date): Promise<Map<string, number[]>>;
}
