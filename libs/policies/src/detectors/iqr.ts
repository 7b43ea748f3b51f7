import type { HostLoad } from "../model/cluster-model";
import { pct, type OverloadDetector } from "./detector";
import { MAD_MIN_HISTORY } from "./mad";
import { interquartileRange } from "./stats";

/** The adaptive upper threshold 1 - s * IQR(history), or NaN while the history is too short. */
export function iqrUpperThreshold(history: ArrayLike<number>, length: number, safety: number): number {
  if (length < MAD_MIN_HISTORY) return Number.NaN;
  return 1 - safety * interquartileRange(history, length);
}

/** Interquartile range (IQR): like MAD with the IQR as the measure of spread (same 12-sample minimum). */
export function iqr(safety: number, fallback: OverloadDetector): OverloadDetector {
  const name = `iqr-${safety}`;
  return {
    name,
    isOverloaded(load: HostLoad): boolean {
      const upper = iqrUpperThreshold(load.history, load.historyLength, safety);
      return Number.isNaN(upper) ? fallback.isOverloaded(load) : load.utilization > upper;
    },
    explain(load: HostLoad): string {
      const upper = iqrUpperThreshold(load.history, load.historyLength, safety);
      if (Number.isNaN(upper)) return `${name}: ${load.historyLength} samples < ${MAD_MIN_HISTORY}, ${fallback.explain(load)}`;
      return `${name}: utilisation ${pct(load.utilization)} vs 1 - ${safety} x IQR = ${pct(upper)}`;
    },
  };
}
