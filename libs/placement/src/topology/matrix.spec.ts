import { describe, expect, it } from "vitest";
import { matrixTopology } from "./matrix";

const flat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());

describe("matrix", () => {
  it("returns the given distances, asymmetric ones included", () => {
    const t = matrixTopology(flat([[0, 2, 7], [3, 0, 1], [7, 1, 0]]), 3);
    expect([t.distance(0, 1), t.distance(1, 0), t.distance(2, 1)]).toEqual([2, 3, 1]);
    expect(t.symmetric).toBe(false);
  });

  it("recognises a tree metric as an exact hierarchy", () => {
    // Two racks of two hosts: 1 inside a rack, 3 across.
    const t = matrixTopology(flat([[0, 1, 3, 3], [1, 0, 3, 3], [3, 3, 0, 1], [3, 3, 1, 0]]), 4);
    expect(t.hierarchy.exact).toBe(true);
    expect(t.hierarchy.groupOf[0]).toEqual(Int32Array.from([0, 0, 1, 1]));
    expect(t.hierarchy.costAtLevel).toEqual([1, 3]);
  });

  it("marks any other metric as a clustering only", () => {
    const t = matrixTopology(flat([[0, 1, 2], [1, 0, 1], [2, 1, 0]]), 3);
    expect(t.hierarchy.exact).toBe(false);
  });

  it.each([
    { name: "non-zero diagonal", rows: [[1, 2], [2, 0]], want: /distance\[0\]\[0\] must be 0/ },
    { name: "negative entry", rows: [[0, -1], [1, 0]], want: /distance\[0\]\[1\] = -1/ },
    { name: "NaN entry", rows: [[0, NaN], [1, 0]], want: /distance\[0\]\[1\] = NaN/ },
  ])("rejects a $name", ({ rows, want }) => {
    expect(() => matrixTopology(flat(rows), 2)).toThrow(want);
  });

  it("rejects a matrix of the wrong size", () => {
    expect(() => matrixTopology(new Float64Array(3), 2)).toThrow(/must hold 4 entries/);
  });
});
