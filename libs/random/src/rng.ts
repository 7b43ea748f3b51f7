/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32). Every random choice in Ferry's libraries goes
 * through an `Rng`, so a run replays exactly from its seed; no library calls Math.random. Independent streams
 * (in the migration simulator: workload layout, source writes, target touches, page content) are forked by
 * label, so that switching an option that draws from one stream does not shift the draws of another.
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

/** A uniformly random permutation of 0..n-1. */
export function randomPermutation(rng: Rng, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(rng, order);
}

/** Fisher-Yates shuffle in place; returns the array it was given. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(rng: Rng, xs: T): T {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}
