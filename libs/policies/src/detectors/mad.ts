import type { HostLoad } from "../model/cluster-model";
import { pct, type OverloadDetector } from "./detector";
import { medianAbsoluteDeviation } from "./stats";

/** CloudSim needs 12 samples before it trusts a median absolute deviation ("suggested as a safe value"). */
export const MAD_MIN_HISTORY = 12;

/** The adaptive upper threshold 1 - s * MAD(history), or NaN while the history is too short. */
export function madUpperThreshold(history: ArrayLike<number>, length: number, safety: number): number {
  if (length < MAD_MIN_HISTORY) return Number.NaN;
  return 1 - safety * medianAbsoluteDeviation(history, length);
}

/**
 * Median absolute deviation (MAD): the more the host's utilisation has varied, the lower the threshold.
 * Falls back to another detector (CloudSim: THR 0.7) while the history is short.
 */
export function mad(safety: number, fallback: OverloadDetector): OverloadDetector {
  const name = `mad-${safety}`;
  return {
    name,
    isOverloaded(load: HostLoad): boolean {
      const upper = madUpperThreshold(load.history, load.historyLength, safety);
      return Number.isNaN(upper) ? fallback.isOverloaded(load) : load.utilization > upper;
    },
    explain(load: HostLoad): string {
      const upper = madUpperThreshold(load.history, load.historyLength, safety);
      if (Number.isNaN(upper)) return `${name}: ${load.historyLength} samples < ${MAD_MIN_HISTORY}, ${fallback.explain(load)}`;
      return `${name}: utilisation ${pct(load.utilization)} vs 1 - ${safety} x MAD = ${pct(upper)}`;
    },
  };
}
