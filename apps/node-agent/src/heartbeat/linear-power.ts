/** A host's power model as it registers it: what it draws idle and at full CPU load. */
export interface PowerModel {
  idleWatts: number;
  peakWatts: number;
}

/**
 * Watts at a CPU load in [0, 1], linear between idle and peak (the usual server model). The simulated host
 * draws this; a Linux host without a RAPL energy counter reports it as its estimate.
 */
export function linearWatts({ idleWatts, peakWatts }: PowerModel, cpuLoad: number): number {
  return idleWatts + (peakWatts - idleWatts) * cpuLoad;
}
