import { describe, expect, it } from "vitest";
import { vl2Topology } from "./vl2";

describe("vl2", () => {
  // dA = 4, dI = 4: 2 ToRs per aggregation pair, 2 pairs, 2 hosts per ToR -> 8 hosts.
  const t = vl2Topology(4, 4, 2);
  it.each([
    { a: 0, b: 0, want: 0 },
    { a: 0, b: 1, want: 1 },
    { a: 0, b: 2, want: 3 },
    { a: 0, b: 4, want: 5 },
    { a: 5, b: 7, want: 3 },
  ])("distance($a, $b) = $want", ({ a, b, want }) => {
    expect(t.distance(a, b)).toBe(want);
  });

  it("has dA * dI / 4 ToRs", () => {
    expect(vl2Topology(24, 24, 20).hostCount).toBe(20 * 144);
  });

  it.each([
    [3, 4, 2],
    [4, 5, 2],
    [4, 4, 0],
  ])("rejects dA=%s dI=%s hostsPerTor=%s", (dA, dI, h) => {
    expect(() => vl2Topology(dA, dI, h)).toThrow(RangeError);
  });
});
