import { createRng } from "@ferry/random";
import { describe, expect, it } from "vitest";
import { cutWeight, partLoads } from "./graph";
import { multilevelPartition } from "./multilevel-partition";
import { plantedCliques, samePartition } from "./test-graphs";

describe("multilevel k-way partitioning", () => {
  it.each([
    { name: "8 cliques of 12 into 8 parts", cliques: 8, size: 12, seed: 1 },
    { name: "16 cliques of 10 into 16 parts", cliques: 16, size: 10, seed: 2 },
    { name: "4 cliques of 40 into 4 parts", cliques: 4, size: 40, seed: 3 },
  ])("$name: recovers the planted cliques within the limits", ({ cliques, size, seed }) => {
    const g = plantedCliques(cliques, size);
    const limit = new Float64Array(cliques).fill(size);
    const part = multilevelPartition(g, cliques, limit, limit, createRng(seed));
    expect(samePartition(part, cliques, size)).toBe(true);
    // The planted partition cuts only the chain's light edges.
    expect(cutWeight(g, part)).toBe(cliques - 1);
    for (const load of partLoads(g, part, cliques)) expect(load).toBeLessThanOrEqual(size);
  });

  it.each([
    { name: "one part takes everything that fits", K: 1, limit: 30, unassigned: 10 },
    { name: "no part, nothing assigned", K: 0, limit: 0, unassigned: 40 },
  ])("$name", ({ K, limit, unassigned }) => {
    const g = plantedCliques(4, 10);
    const part = multilevelPartition(g, K, new Float64Array(K).fill(limit), new Float64Array(K).fill(limit), createRng(1));
    expect(Array.from(part).filter((p) => p < 0)).toHaveLength(unassigned);
  });
});
