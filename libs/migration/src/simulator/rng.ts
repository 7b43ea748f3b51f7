/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32). Every random choice in the simulator goes
 * through an `Rng`, so a run replays exactly from its seed; nothing in the library calls Math.random.
 * Independent streams (workload layout, source writes, target touches, page content) are forked by label, so
 * that switching an option that draws from one stream does not shift the draws of another.
 */
export interface Rng {
  /** The seed this generator started from, printed with results so a run can be replayed. */
  readonly seed: number;
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n), n < 2^32. */
  int(n: number): number;
  /** Exponentially distributed with the given rate (mean 1 / rate). */
  exp(rate: number): number;
  /** A new independent generator, derived from this one's seed and the label (not from its current state). */
  fork(label: string): Rng;
}

const TWO_POW_32 = 4294967296;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the label, mixed with the seed: a stable 32-bit seed per (seed, label). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h)() >>> 0;
}

export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  let a = mix() | 0;
  let b = mix() | 0;
  let c = mix() | 0;
  let d = mix() | 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / TWO_POW_32;
  return {
    seed,
    u32,
    next,
    int: (n: number) => Math.floor(next() * n),
    // 1 - u lies in (0, 1], so the logarithm is finite.
    exp: (rate: number) => -Math.log(1 - next()) / rate,
    fork: (label: string) => createRng(deriveSeed(seed, label)),
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace(rng: Rng, xs: Uint32Array | number[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = xs[i];
    xs[i] = xs[j];
    xs[j] = t;
  }
}

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
