import type { HostLoad } from "../model/cluster-model";
import { pct, type OverloadDetector } from "./detector";
import { tricubeWeights, weightedLinearFit } from "./stats";

/** CloudSim fits the last 10 samples "to make the regression responsive enough to latest values". */
export const LR_WINDOW = 10;

export type TrendFit = (oldestFirst: Float64Array) => [number, number];

const WINDOW_WEIGHTS = tricubeWeights(LR_WINDOW);
// Detectors run thousands of times per planning round; one scratch buffer avoids the garbage.
const scratch = new Float64Array(LR_WINDOW);

/** Loess with tricube weights (Cleveland), as Beloglazov & Buyya define LR. */
export const loessFit: TrendFit = (y) =>
  weightedLinearFit(y, y.length === LR_WINDOW ? WINDOW_WEIGHTS : tricubeWeights(y.length));

const UNIT_WEIGHTS = new Float64Array(LR_WINDOW).fill(1);

/**
 * CloudSim 3.0.3's LR and LRR fit: MathUtil.createWeigthedLinearRegression applies its weights only when
 * at least 40 % of them are zero, and the tricube weights it is given never are, so both of its fits
 * are plain least squares (and LRR's refit, on the same points, gives the same line).
 */
export const cloudSimFit: TrendFit = (y) =>
  weightedLinearFit(y, y.length === LR_WINDOW ? UNIT_WEIGHTS : new Float64Array(y.length).fill(1));

/**
 * The utilisation LR expects once the slowest VM could have been moved away: the trend line of the last
 * 10 samples evaluated at x = 10 + ceil(longest migration / sampling interval). NaN while the history is
 * too short or the fit degenerate.
 */
export function predictedUtilization(load: HostLoad, fit: TrendFit): number {
  if (load.historyLength < LR_WINDOW) return Number.NaN;
  const y = scratch;
  for (let i = 0; i < LR_WINDOW; i++) y[i] = load.history[LR_WINDOW - 1 - i]!;
  const [intercept, slope] = fit(y);
  const lookAhead = Math.ceil(load.maxMigrationTimeS() / load.intervalS);
  return intercept + slope * (LR_WINDOW + lookAhead);
}

export function trendDetector(
  name: string,
  safety: number,
  fit: TrendFit,
  fallback: OverloadDetector,
): OverloadDetector {
  return {
    name,
    isOverloaded(load: HostLoad): boolean {
      const predicted = predictedUtilization(load, fit);
      return Number.isNaN(predicted) ? fallback.isOverloaded(load) : safety * predicted >= 1;
    },
    explain(load: HostLoad): string {
      const predicted = predictedUtilization(load, fit);
      if (Number.isNaN(predicted)) return `${name}: ${load.historyLength} samples < ${LR_WINDOW}, ${fallback.explain(load)}`;
      return `${name}: predicted ${pct(predicted)} x ${safety} = ${pct(safety * predicted)} vs 100%`;
    },
  };
}

/** Local regression (LR): overloaded when s x the extrapolated utilisation reaches 100 %. */
export function lr(safety: number, fallback: OverloadDetector, fit: TrendFit = loessFit): OverloadDetector {
  return trendDetector(`lr-${safety}`, safety, fit, fallback);
}
