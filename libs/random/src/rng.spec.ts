import { describe, expect, it } from "vitest";
import { createRng, deriveSeed, randomPermutation, shuffleInPlace } from "./rng";

describe("rng", () => {
  it("replays from its seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
  });

  it("forks by label, independently of the parent's state", () => {
    const a = createRng(42);
    a.u32();
    expect(a.fork("writes").u32()).toBe(createRng(42).fork("writes").u32());
    expect(deriveSeed(42, "writes")).not.toBe(deriveSeed(42, "touches"));
  });

  it.each([1, 7, 1000])("int(%i) stays in [0, n) and next() in [0, 1)", (n) => {
    const rng = createRng(9);
    for (let i = 0; i < 2_000; i++) {
      const k = rng.int(n);
      expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("exp(rate) has mean 1 / rate", () => {
    const rng = createRng(4);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += rng.exp(2);
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
  });

  it("shuffles in place into a permutation, the same for the same seed", () => {
    const xs = shuffleInPlace(createRng(1), Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffleInPlace(createRng(1), Int32Array.from({ length: 50 }, (_, i) => i))).toEqual(Int32Array.from(xs));
    expect(randomPermutation(createRng(1), 50)).toEqual(Uint32Array.from(xs));
  });
});
