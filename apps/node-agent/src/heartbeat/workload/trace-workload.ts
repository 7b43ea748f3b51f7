import type { WorkloadModel } from "./workload-model";

/** PlanetLab traces (and CloudSim) space their samples 5 minutes apart. */
export const TRACE_INTERVAL_S = 300;

/**
 * Replays one utilisation series (fractions, one per TRACE_INTERVAL_S) against the wall clock, `speedup`
 * times faster than real time, looping at its end. Between two samples the level is interpolated linearly,
 * as CloudSim's UtilizationModelPlanetLabInMemory does; the last sample leads back to the first. The
 * position depends only on the wall clock, so every agent replays the same instant of the day and a VM
 * that migrates carries on where it was.
 */
export function traceWorkload(series: ArrayLike<number>, speedup: number, memFraction: number): WorkloadModel {
  const n = series.length;
  if (n === 0) throw new Error("a trace series needs at least one sample");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += series[i]!;
  return {
    meanCpuFraction: sum / n,
    memFraction,
    cpuFraction(atMs: number): number {
      const position = (((atMs / 1000) * speedup) / TRACE_INTERVAL_S) % n;
      const i = Math.floor(position);
      const t = position - i;
      return series[i]! * (1 - t) + series[(i + 1) % n]! * t;
    },
  };
}
