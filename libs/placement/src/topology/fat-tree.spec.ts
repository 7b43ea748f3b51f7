import { describe, expect, it } from "vitest";
import { fatTreeTopology } from "./fat-tree";

describe("fat-tree", () => {
  // k = 4: hosts 0,1 share edge switch 0; 0..3 form pod 0.
  it.each([
    { a: 0, b: 0, want: 0 },
    { a: 0, b: 1, want: 1 },
    { a: 0, b: 2, want: 3 },
    { a: 1, b: 3, want: 3 },
    { a: 0, b: 4, want: 5 },
    { a: 15, b: 14, want: 1 },
    { a: 15, b: 12, want: 3 },
    { a: 3, b: 15, want: 5 },
  ])("k=4 distance($a, $b) = $want", ({ a, b, want }) => {
    expect(fatTreeTopology(4).distance(a, b)).toBe(want);
  });

  it.each([
    { k: 8, hosts: 128 },
    { k: 16, hosts: 1024 },
    { k: 24, hosts: 3456 },
  ])("k=$k has $hosts hosts", ({ k, hosts }) => {
    expect(fatTreeTopology(k).hostCount).toBe(hosts);
  });

  it("k=48 needs no n x n matrix: 27,648 hosts answer in O(1)", () => {
    const t = fatTreeTopology(48);
    expect(t.hostCount).toBe(27648);
    expect(t.distance(0, 27647)).toBe(5);
    expect(t.distance(27646, 27647)).toBe(1);
  });

  it.each([3, 0, -2, 2.5])("rejects k=%s", (k) => {
    expect(() => fatTreeTopology(k)).toThrow(RangeError);
  });
});
