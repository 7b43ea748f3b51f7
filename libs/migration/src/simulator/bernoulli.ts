import type { Rng } from "@ferry/random";

/**
 * Marks each page of [from, to) in `words` independently with probability p: the pages a Poisson stream of
 * writes touches at least once. Two exact methods, picked by cost:
 * - sparse (p < SPARSE_BELOW): jump from hit to hit with geometric gaps, O(hits);
 * - dense: 32 pages at once. A lane is set when its uniform u < p; comparing u and p one binary digit at a
 *   time, a random word supplies digit j of all 32 lanes' u, and a lane is decided at its first digit that
 *   differs from p's. About log2(32) + 2 random words settle a whole word, whatever p is.
 * The result is OR-ed in (pages already set stay set).
 */
const SPARSE_BELOW = 0.04;
const DIGITS = 32;

export function markBernoulli(rng: Rng, words: Uint32Array, from: number, to: number, p: number): void {
  if (to <= from || p <= 0) return;
  if (p >= 1) {
    orRange(words, from, to);
    return;
  }
  if (p < SPARSE_BELOW) {
    const logQ = Math.log1p(-p);
    let i = from - 1;
    for (;;) {
      i += 1 + Math.floor(Math.log(1 - rng.next()) / logQ);
      if (i >= to) return;
      words[i >>> 5] |= 1 << (i & 31);
    }
  }
  const digits = binaryDigits(p);
  let page = from;
  while (page < to) {
    const w = page >>> 5;
    const bit = page & 31;
    const n = Math.min(32 - bit, to - page);
    const mask = n === 32 ? 0xffffffff : ((1 << n) - 1) << bit;
    words[w] |= bernoulliWord(rng, digits) & mask;
    page += n;
  }
}

function orRange(words: Uint32Array, from: number, to: number): void {
  for (let page = from; page < to; ) {
    const bit = page & 31;
    const n = Math.min(32 - bit, to - page);
    words[page >>> 5] |= n === 32 ? 0xffffffff : ((1 << n) - 1) << bit;
    page += n;
  }
}

/** The first DIGITS binary digits of p in [0, 1). */
function binaryDigits(p: number): Uint8Array {
  const d = new Uint8Array(DIGITS);
  let x = p;
  for (let j = 0; j < DIGITS; j++) {
    x *= 2;
    if (x >= 1) {
      d[j] = 1;
      x -= 1;
    }
  }
  return d;
}

function bernoulliWord(rng: Rng, digits: Uint8Array): number {
  let undecided = 0xffffffff | 0;
  let result = 0;
  for (let j = 0; j < DIGITS && undecided !== 0; j++) {
    const r = rng.u32() | 0;
    if (digits[j] === 1) {
      result |= undecided & ~r;
      undecided &= r;
    } else {
      undecided &= ~r;
    }
  }
  return result;
}
