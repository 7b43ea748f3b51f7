import { describe, expect, it } from "vitest";
import { threeTierTopology, treeTopology } from "./tree";

describe("tree / three-tier", () => {
  // Three-tier, 2 hosts per rack, 2 racks per pod, 2 pods: hosts 0-1 rack 0, 0-3 pod 0.
  const t = threeTierTopology(2, 2, 2);
  it.each([
    { a: 0, b: 0, want: 0 },
    { a: 0, b: 1, want: 1 },
    { a: 0, b: 2, want: 3 },
    { a: 0, b: 4, want: 5 },
    { a: 6, b: 7, want: 1 },
  ])("three-tier distance($a, $b) = $want", ({ a, b, want }) => {
    expect(t.distance(a, b)).toBe(want);
  });

  it("a four-level tree adds 2 switches per level: 1, 3, 5, 7", () => {
    const four = treeTopology([2, 2, 2, 2]);
    expect([four.distance(0, 1), four.distance(0, 2), four.distance(0, 4), four.distance(0, 8)]).toEqual([1, 3, 5, 7]);
    expect(four.kind).toBe("tree");
    expect(t.kind).toBe("three-tier");
  });

  it.each([[[]], [[2, 0]], [[2, 1.5]]])("rejects fanout %j", (fanout) => {
    expect(() => treeTopology(fanout)).toThrow(RangeError);
  });
});
