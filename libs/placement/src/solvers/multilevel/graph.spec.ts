import { describe, expect, it } from "vitest";
import { compiled } from "../../fixtures/harness";
import { cutWeight, fitsPart, graphFromEdges, partLoads, unitGraph } from "./graph";

describe("unitGraph", () => {
  // Four VMs on the labels topology; a->b 5 and b->a 3 sum to 8; c-d 2 is left out when d is not listed.
  const problem = {
    hosts: [{ id: "h0", cpu: 8, memMiB: 8192 }],
    vms: ["a", "b", "c", "d"].map((id, i) => ({ id, cpu: i + 1, memMiB: 1024 })),
    traffic: [["a", "b", 5], ["b", "a", 3], ["b", "c", 1], ["c", "d", 2]] as [string, string, number][],
  };
  it.each([
    { name: "all units", units: [0, 1, 2, 3], edges: 3, weightAB: 8, cut: 11 },
    { name: "d left out", units: [0, 1, 2], edges: 2, weightAB: 8, cut: 9 },
  ])("$name", ({ units, edges, weightAB, cut }) => {
    const { setup } = compiled(problem);
    const c = setup.cluster;
    const localOf = new Int32Array(c.unitCount).fill(-1);
    const g = unitGraph(c, Int32Array.from(units), localOf);
    expect(g.n).toBe(units.length);
    expect(g.start[g.n] / 2).toBe(edges);
    expect(g.w[g.start[0]]).toBe(weightAB);
    expect(g.size[1 * g.R]).toBe(2); // b's cpu
    expect(localOf.every((x) => x === -1)).toBe(true);
    // Every vertex alone: the cut is the total edge weight.
    expect(cutWeight(g, Int32Array.from(units, (_, i) => i))).toBe(cut);
  });
});

describe("cut, loads and fit", () => {
  const g = graphFromEdges(4, [[0, 1, 3], [1, 2, 4], [2, 3, 5]], [[1], [2], [3], [4]]);
  it.each([
    { name: "one part", part: [0, 0, 0, 0], cut: 0, loads: [10, 0] },
    { name: "split in the middle", part: [0, 0, 1, 1], cut: 4, loads: [3, 7] },
    { name: "alternating", part: [0, 1, 0, 1], cut: 12, loads: [4, 6] },
    { name: "unassigned vertex cuts its edges", part: [0, 0, -1, 1], cut: 9, loads: [3, 4] },
  ])("$name", ({ part, cut, loads }) => {
    const p = Int32Array.from(part);
    expect(cutWeight(g, p)).toBe(cut);
    expect(Array.from(partLoads(g, p, 2))).toEqual(loads);
  });
  it.each([
    { v: 3, p: 0, used: 6, limit: 10, fits: true },
    { v: 3, p: 0, used: 7, limit: 10, fits: false },
  ])("vertex $v (size 4) with $used used of $limit fits: $fits", ({ v, p, used, limit, fits }) => {
    expect(fitsPart(g, v, p, Float64Array.of(used), Float64Array.of(limit))).toBe(fits);
  });
});
