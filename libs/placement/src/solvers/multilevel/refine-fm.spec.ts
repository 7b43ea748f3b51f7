import { describe, expect, it } from "vitest";
import { cutWeight, partLoads } from "./graph";
import { FmRefiner } from "./refine-fm";
import { plantedCliques, samePartition } from "./test-graphs";

describe("FM refinement", () => {
  it.each([
    // Two cliques of 4 with one vertex of each swapped. Both parts full: no single move is allowed.
    { name: "never exceeds a limit, even to gain", start: [0, 0, 0, 1, 1, 1, 1, 0], limit: 4, planted: false },
    // One spare slot: the first move home gains, the second completes the swap.
    { name: "moves stray vertices home", start: [0, 0, 0, 1, 1, 1, 1, 0], limit: 5, planted: true },
    { name: "a planted partition stays", start: [0, 0, 0, 0, 1, 1, 1, 1], limit: 4, planted: true },
  ])("$name", ({ start, limit, planted }) => {
    const g = plantedCliques(2, 4);
    const part = Int32Array.from(start);
    const before = cutWeight(g, part);
    const lim = Float64Array.of(limit, limit);
    const used = partLoads(g, part, 2);
    const gain = new FmRefiner().refine(g, part, 2, used, lim);
    expect(cutWeight(g, part)).toBeCloseTo(before - gain, 9);
    expect(samePartition(part, 2, 4)).toBe(planted);
    expect(Array.from(used)).toEqual(Array.from(partLoads(g, part, 2)));
    for (const load of used) expect(load).toBeLessThanOrEqual(limit);
  });
});
