import { describe, expect, it } from "vitest";
import { createRng } from "@ferry/random";
import { poisson, zeroTruncatedPoisson } from "./poisson";

/**
 * Every check is against what the distribution implies for n draws, at 4.5 standard errors (a false alarm about
 * once in 150 000 checks; the seeds are fixed, so a pass is reproducible):
 * - the sample mean, whose standard error is sqrt(variance / n);
 * - the sample variance, whose standard error is sqrt((mu4 - sigma^4) / n), with mu4 the fourth central moment
 *   (for a Poisson of mean m: sigma^2 = m and mu4 = m + 3 m^2, so (m + 2 m^2) / n);
 * - the histogram, bin by bin: a bin of probability P holds n P draws give or take sqrt(n P (1 - P)).
 * A constant, or any distribution with the right mean but the wrong spread or shape, fails one of them.
 */
const N = 20_000;
const Z = 4.5;

function lnFactorial(k: number): number {
  if (k < 256) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}

const poissonPmf = (m: number, k: number) => Math.exp(-m + k * Math.log(m) - lnFactorial(k));

/** Mean, variance and fourth central moment of a pmf on 0..maxK, summed exactly. */
function moments(pmf: (k: number) => number, maxK: number): { e: number; variance: number; mu4: number } {
  let e = 0;
  for (let k = 0; k <= maxK; k++) e += k * pmf(k);
  let variance = 0;
  let mu4 = 0;
  for (let k = 0; k <= maxK; k++) {
    variance += pmf(k) * (k - e) ** 2;
    mu4 += pmf(k) * (k - e) ** 4;
  }
  return { e, variance, mu4 };
}

function draw(sample: () => number): { values: Int32Array; mean: number; variance: number } {
  const values = new Int32Array(N);
  let sum = 0;
  for (let i = 0; i < N; i++) sum += values[i] = sample();
  const mean = sum / N;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { values, mean, variance: sq / N };
}

/** Bins of width about sd / 4 over mean +- 5 sd; only bins expected to hold at least 20 draws are checked. */
function expectHistogram(values: Int32Array, pmf: (k: number) => number, mean: number, sd: number, minK: number): void {
  const width = Math.max(1, Math.floor(sd / 4));
  const from = Math.max(minK, Math.floor(mean - 5 * sd));
  const to = Math.ceil(mean + 5 * sd);
  let checked = 0;
  for (let lo = from; lo <= to; lo += width) {
    let p = 0;
    for (let k = lo; k < lo + width; k++) p += pmf(k);
    if (N * p < 20) continue;
    let observed = 0;
    for (const v of values) if (v >= lo && v < lo + width) observed++;
    expect(Math.abs(observed - N * p), `bin [${lo}, ${lo + width})`).toBeLessThan(Z * Math.sqrt(N * p * (1 - p)));
    checked++;
  }
  expect(checked).toBeGreaterThan(1);
}

describe("poisson", () => {
  it.each([{ mean: 0.3 }, { mean: 4 }, { mean: 29 }, { mean: 31 }, { mean: 500 }, { mean: 1e6 }])(
    "poisson(mean $mean) has the mean, the variance and the histogram of a Poisson",
    ({ mean }) => {
      const rng = createRng(3);
      const { values, mean: m, variance: v } = draw(() => poisson(rng, mean));
      expect(Math.abs(m - mean)).toBeLessThan(Z * Math.sqrt(mean / N));
      expect(Math.abs(v - mean)).toBeLessThan(Z * Math.sqrt((mean + 2 * mean * mean) / N));
      expectHistogram(values, (k) => poissonPmf(mean, k), mean, Math.sqrt(mean), 0);
    },
  );

  it.each([{ mean: 0.01 }, { mean: 1 }, { mean: 4 }, { mean: 50 }])(
    "zero-truncated poisson(mean $mean) is >= 1 and has the truncated distribution's mean, variance and histogram",
    ({ mean }) => {
      const rng = createRng(5);
      const { values, mean: m, variance: v } = draw(() => zeroTruncatedPoisson(rng, mean));
      expect(Math.min(...values)).toBeGreaterThanOrEqual(1);
      const keep = -Math.expm1(-mean);
      const pmf = (k: number) => (k >= 1 ? poissonPmf(mean, k) / keep : 0);
      const { e, variance, mu4 } = moments(pmf, Math.ceil(mean + 20 * Math.sqrt(mean) + 20));
      expect(e).toBeCloseTo(mean / keep, 9);
      expect(Math.abs(m - e)).toBeLessThan(Z * Math.sqrt(variance / N));
      expect(Math.abs(v - variance)).toBeLessThan(Z * Math.sqrt((mu4 - variance * variance) / N));
      expectHistogram(values, pmf, e, Math.sqrt(variance), 1);
    },
  );
});
