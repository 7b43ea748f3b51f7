import { describe, expect, it } from "vitest";
import { bcubeTopology } from "./bcube";

describe("bcube", () => {
  // BCube(4, 1): addresses are two base-4 digits (server = 4 * a1 + a0); distance = digits that differ.
  const t = bcubeTopology(4, 1);
  it.each([
    { a: 0, b: 0, want: 0 },
    { a: 0, b: 3, want: 1 },
    { a: 0, b: 4, want: 1 },
    { a: 0, b: 5, want: 2 },
    { a: 7, b: 13, want: 2 },
    { a: 7, b: 15, want: 1 },
  ])("distance($a, $b) = $want", ({ a, b, want }) => {
    expect(t.distance(a, b)).toBe(want);
  });

  it("BCube(n, k) has n^(k+1) servers and diameter k + 1", () => {
    const b = bcubeTopology(8, 2);
    expect(b.hostCount).toBe(512);
    expect(b.distance(0, 511)).toBe(3);
  });

  it("its groups are a clustering, not an exact hierarchy", () => {
    expect(t.hierarchy.exact).toBe(false);
  });
});
