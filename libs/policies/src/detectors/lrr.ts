import type { OverloadDetector } from "./detector";
import { loessFit, trendDetector, type TrendFit } from "./lr";
import { bisquareWeights, tricubeWeights, weightedLinearFit } from "./stats";

/**
 * Robust Loess: fit with tricube weights, then refit with tricube x bisquare weights of the residuals so
 * one spike cannot swing the trend. Falls back to the plain fit if the robust one is degenerate.
 */
export const robustLoessFit: TrendFit = (y) => {
  const first = loessFit(y);
  const residuals = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) residuals[i] = y[i]! - (first[0] + first[1] * (i + 1));
  const tricube = tricubeWeights(y.length);
  const bisquare = bisquareWeights(residuals);
  const combined = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) combined[i] = tricube[i]! * bisquare[i]!;
  const robust = weightedLinearFit(y, combined);
  return Number.isNaN(robust[0]) || Number.isNaN(robust[1]) ? first : robust;
};

/** Robust local regression (LRR). */
export function lrr(safety: number, fallback: OverloadDetector, fit: TrendFit = robustLoessFit): OverloadDetector {
  return trendDetector(`lrr-${safety}`, safety, fit, fallback);
}
