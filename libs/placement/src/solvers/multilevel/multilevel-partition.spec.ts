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

  // 4 cliques of 10 into 4 parts of 12; clique c starts in part (c + 1) % 4 (the names of the parts matter now).
  it.each([
    { name: "the planted partition stays as it is", strays: [] },
    { name: "two strays of clique 0 go back to its part", strays: [[0, 2], [5, 3]] },
    { name: "strays of two cliques, and one unassigned vertex, go back", strays: [[1, 3], [12, 0], [25, -1]] },
  ])("from an initial partition: $name", ({ strays }) => {
    const g = plantedCliques(4, 10);
    const limit = new Float64Array(4).fill(12);
    const home = (v: number): number => (Math.floor(v / 10) + 1) % 4;
    const initial = Int32Array.from({ length: g.n }, (_, v) => home(v));
    for (const [v, p] of strays) initial[v] = p;
    const part = multilevelPartition(g, 4, limit, limit, createRng(1), {}, initial);
    expect(Array.from(part)).toEqual(Array.from({ length: g.n }, (_, v) => home(v)));
  });
});
