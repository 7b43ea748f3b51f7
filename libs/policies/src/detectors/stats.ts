/**
 * Small statistics over the first `n` values of a series, written to match CloudSim's MathUtil (Apache
 * Commons Math underneath) where the definitions differ from textbook ones.
 */

function sortedCopy(values: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i]!;
  return out.sort();
}

/** Median with linear interpolation of the two middle values (Commons Math percentile 50). */
export function median(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return Number.NaN;
  const s = sortedCopy(values, n);
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation: median(|x - median(x)|). */
export function medianAbsoluteDeviation(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return 0;
  const m = median(values, n);
  const deviations = new Float64Array(n);
  for (let i = 0; i < n; i++) deviations[i] = Math.abs(values[i]! - m);
  return median(deviations, n);
}

/**
 * Interquartile range as CloudSim's MathUtil.iqr computes it: order statistics at positions
 * round(0.25 (n + 1)) and round(0.75 (n + 1)) (1-based, Java rounding), no interpolation.
 */
export function interquartileRange(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return 0;
  const s = sortedCopy(values, n);
  const q1 = Math.max(0, Math.floor(0.25 * (n + 1) + 0.5) - 1);
  const q3 = Math.min(n - 1, Math.floor(0.75 * (n + 1) + 0.5) - 1);
  return s[q3]! - s[q1]!;
}

/** Weighted least squares fit of y against x = 1..n; returns [intercept, slope] (NaN if degenerate). */
export function weightedLinearFit(y: ArrayLike<number>, weights: ArrayLike<number>): [number, number] {
  let sw = 0;
  let swx = 0;
  let swy = 0;
  let swxx = 0;
  let swxy = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights[i]!;
    const x = i + 1;
    sw += w;
    swx += w * x;
    swy += w * y[i]!;
    swxx += w * x * x;
    swxy += w * x * y[i]!;
  }
  const denominator = sw * swxx - swx * swx;
  if (!(sw > 0) || denominator === 0) return [Number.NaN, Number.NaN];
  const slope = (sw * swxy - swx * swy) / denominator;
  return [(swy - slope * swx) / sw, slope];
}

/**
 * Tricube weights for a Loess fit anchored at the newest point (x = n), with CloudSim's index scheme:
 * w_i = (1 - ((n - 1 - i) / (n - 1))^3)^3 for i >= 2 and w_0 = w_1 = w_2, so the oldest point does not
 * get weight zero.
 */
export function tricubeWeights(n: number): Float64Array {
  const w = new Float64Array(n);
  const spread = n - 1;
  for (let i = 2; i < n; i++) {
    const u = (spread - i) / spread;
    w[i] = (1 - u * u * u) ** 3;
  }
  if (n >= 3) w[0] = w[1] = w[2]!;
  return w;
}

/** Bisquare robustness weights B(r / 6 median|r|), with CloudSim's index scheme for the first two points. */
export function bisquareWeights(residuals: ArrayLike<number>): Float64Array {
  const n = residuals.length;
  const abs = new Float64Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(residuals[i]!);
  const s6 = 6 * median(abs);
  const w = new Float64Array(n);
  for (let i = 2; i < n; i++) {
    if (s6 === 0) {
      w[i] = residuals[i] === 0 ? 1 : 0;
      continue;
    }
    const u = residuals[i]! / s6;
    w[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
  }
  if (n >= 3) w[0] = w[1] = w[2]!;
  return w;
}
