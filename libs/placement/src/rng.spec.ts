import { describe, expect, it } from "vitest";
import { createRng, shuffle } from "./rng";

describe("rng", () => {
  it("replays from its seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(createRng(43).next()).not.toBe(xs[0]);
  });

  it.each([1, 7, 1000])("int(%i) stays in range and covers it", (n) => {
    const rng = createRng(n);
    const seen = new Set<number>();
    for (let i = 0; i < 20 * n + 100; i++) {
      const x = rng.int(n);
      expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(n);
  });

  it("shuffles into a permutation", () => {
    const xs = shuffle(createRng(1), Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
