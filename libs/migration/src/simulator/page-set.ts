/**
 * A set of page numbers as a bitmap (one bit per page, 32 pages per Uint32 word), the page-tracking core every
 * technique and the simulator share: the dirty log, the pages still to send, the pages already on the target.
 * Whole-set operations run a word at a time, so a pass over 4M pages (16 GiB of 4 KiB pages) touches 128K words.
 * Bits past `size` in the last word are always zero; every operation keeps that invariant.
 */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Index (0..31) of the lowest set bit of a non-zero word. */
export function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

export class PageSet {
  readonly words: Uint32Array;
  readonly wordCount: number;
  private readonly tailMask: number;

  constructor(readonly size: number) {
    this.wordCount = Math.ceil(size / 32);
    this.words = new Uint32Array(this.wordCount);
    const rem = size % 32;
    this.tailMask = rem === 0 ? 0xffffffff : (1 << rem) - 1;
  }

  static full(size: number): PageSet {
    const s = new PageSet(size);
    s.fill();
    return s;
  }

  static of(size: number, pages: Iterable<number>): PageSet {
    const s = new PageSet(size);
    for (const p of pages) s.add(p);
    return s;
  }

  has(page: number): boolean {
    return (this.words[page >>> 5] & (1 << (page & 31))) !== 0;
  }

  add(page: number): void {
    this.words[page >>> 5] |= 1 << (page & 31);
  }

  delete(page: number): void {
    this.words[page >>> 5] &= ~(1 << (page & 31));
  }

  fill(): void {
    if (this.wordCount === 0) return;
    this.words.fill(0xffffffff);
    this.words[this.wordCount - 1] = this.tailMask >>> 0;
  }

  clear(): void {
    this.words.fill(0);
  }

  count(): number {
    return this.countWords(0, this.wordCount);
  }

  /** Pages set in words [fromWord, toWord). */
  countWords(fromWord: number, toWord: number): number {
    const w = this.words;
    let n = 0;
    for (let i = fromWord; i < toWord; i++) {
      const x = w[i];
      if (x !== 0) n += popcount32(x);
    }
    return n;
  }

  copyFrom(other: PageSet): void {
    this.words.set(other.words);
  }

  unionWith(other: PageSet): void {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] |= b[i];
  }

  subtract(other: PageSet): void {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] &= ~b[i];
  }

  intersectWith(other: PageSet): void {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i] &= b[i];
  }

  /** Lowest set page >= from, or -1. */
  nextSet(from: number): number {
    if (from >= this.size) return -1;
    const w = this.words;
    let i = from >>> 5;
    let x = w[i] & (0xffffffff << (from & 31));
    for (;;) {
      if (x !== 0) return (i << 5) + lowestBit(x);
      if (++i >= this.wordCount) return -1;
      x = w[i];
    }
  }

  /** Lowest page >= from that is not set, or -1. */
  nextClear(from: number): number {
    if (from >= this.size) return -1;
    const w = this.words;
    let i = from >>> 5;
    let x = ~w[i] & (0xffffffff << (from & 31));
    for (;;) {
      if (x !== 0) {
        const p = (i << 5) + lowestBit(x);
        return p < this.size ? p : -1;
      }
      if (++i >= this.wordCount) return -1;
      x = ~w[i];
    }
  }

  /** Highest page <= from that is not set, or -1. */
  prevClear(from: number): number {
    if (from < 0) return -1;
    if (from >= this.size) from = this.size - 1;
    const w = this.words;
    let i = from >>> 5;
    const bit = from & 31;
    let x = ~w[i] & (bit === 31 ? 0xffffffff : (1 << (bit + 1)) - 1);
    for (;;) {
      if (x !== 0) return (i << 5) + 31 - Math.clz32(x);
      if (--i < 0) return -1;
      x = ~w[i];
    }
  }

  /** Calls fn for every set page in ascending order. */
  forEach(fn: (page: number) => void): void {
    forEachSetBit(this.words, 0, this.wordCount, fn);
  }

  /** Number of maximal runs of consecutive set pages (what a range-encoded message of the set costs). */
  runCount(): number {
    const w = this.words;
    let runs = 0;
    let carry = 0; // bit 31 of the previous word
    for (let i = 0; i < w.length; i++) {
      const x = w[i];
      // A run starts at every set bit whose lower neighbour is clear.
      const starts = x & ~((x << 1) | carry);
      if (starts !== 0) runs += popcount32(starts);
      carry = x >>> 31;
    }
    return runs;
  }

  toArray(): number[] {
    const out: number[] = [];
    this.forEach((p) => out.push(p));
    return out;
  }
}

/** Calls fn for every set bit of words [fromWord, toWord) in ascending page order. */
export function forEachSetBit(words: Uint32Array, fromWord: number, toWord: number, fn: (page: number) => void): void {
  for (let i = fromWord; i < toWord; i++) {
    let x = words[i];
    while (x !== 0) {
      const t = x & -x;
      fn((i << 5) + 31 - Math.clz32(t));
      x ^= t;
    }
  }
}
