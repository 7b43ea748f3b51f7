import type { Rng } from "@ferry/random";

/**
 * Poisson-distributed count with the given mean: multiplication of uniforms for small means, the PTRS
 * transformed-rejection method (Hörmann 1993) for large ones, so the cost stays O(1) for huge means.
 */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const lhs = Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b);
    const rhs = -mean + k * loglam - logFactorial(k);
    if (lhs <= rhs) return k;
  }
}

/** Poisson count conditioned on being at least 1 (a page known to be dirty was written k >= 1 times). */
export function zeroTruncatedPoisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 1;
  if (mean < 30) {
    // Inversion over k >= 1 with P(k) = e^-m m^k / k! / (1 - e^-m).
    const e = Math.exp(-mean);
    let u = rng.next() * (1 - e);
    let k = 1;
    let pk = e * mean;
    while (u > pk && k < 1000) {
      u -= pk;
      k++;
      pk *= mean / k;
    }
    return k;
  }
  for (;;) {
    const k = poisson(rng, mean);
    if (k >= 1) return k;
  }
}

const LOG_FACT_TABLE: number[] = [0];
function logFactorial(k: number): number {
  if (k < 256) {
    for (let i = LOG_FACT_TABLE.length; i <= k; i++) LOG_FACT_TABLE[i] = LOG_FACT_TABLE[i - 1] + Math.log(i);
    return LOG_FACT_TABLE[k];
  }
  // Stirling series: exact to double precision for k >= 256.
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
