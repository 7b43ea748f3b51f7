/** A VM's CPU demand over wall time, as the simulated host probe replays it. */
export interface WorkloadModel {
  /** CPU used at `atMs`, as a fraction of the VM's vCPUs. */
  cpuFraction(atMs: number): number;
  /** The level's long-run mean: activity is measured against it. */
  readonly meanCpuFraction: number;
  /** Memory the guest keeps in use, as a fraction of its configured memory. */
  readonly memFraction: number;
}

/** Activity never scales a VM's configured dirty rate or traffic by more than this. */
export const MAX_ACTIVITY = 4;
/** Below this mean a workload counts as idle-on-average, so a short burst does not divide by almost zero. */
const MIN_MEAN = 0.01;

/**
 * How busy the VM is against its own mean: a VM's configured dirty rate and traffic are what it does at
 * its mean CPU level, and scale in proportion above and below it (at most MAX_ACTIVITY times).
 */
export function activity(model: WorkloadModel, atMs: number): number {
  return Math.min(MAX_ACTIVITY, model.cpuFraction(atMs) / Math.max(MIN_MEAN, model.meanCpuFraction));
}

export function constantWorkload(cpuFraction: number, memFraction: number): WorkloadModel {
  return { cpuFraction: () => cpuFraction, meanCpuFraction: cpuFraction, memFraction };
}
