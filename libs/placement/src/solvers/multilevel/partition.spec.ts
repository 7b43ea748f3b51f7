import { createRng } from "@ferry/random";
import { describe, expect, it } from "vitest";
import { graphFromEdges, partLoads } from "./graph";
import { assignLeftovers, growPartition } from "./partition";
import { plantedCliques, samePartition } from "./test-graphs";

describe("growPartition", () => {
  it.each([
    { name: "two cliques, two parts", cliques: 2, size: 6, K: 2, seed: 1, random: false },
    { name: "four cliques, four parts", cliques: 4, size: 5, K: 4, seed: 1, random: false },
    { name: "four cliques, random seeds", cliques: 4, size: 5, K: 4, seed: 3, random: true },
  ])("$name: parts follow the cliques and stay within limits", ({ cliques, size, K, seed, random }) => {
    const g = plantedCliques(cliques, size);
    const cap = new Float64Array(K).fill(size);
    const part = growPartition(g, K, cap, cap, createRng(seed), random);
    expect(samePartition(part, cliques, size)).toBe(true);
    for (const load of partLoads(g, part, K)) expect(load).toBeLessThanOrEqual(size);
  });

  it("leaves -1 for what fits nowhere", () => {
    const g = graphFromEdges(3, [[0, 1, 1]], [[4], [4], [4]]);
    const part = growPartition(g, 2, Float64Array.of(4, 4), Float64Array.of(4, 4), createRng(1), false);
    expect(Array.from(part).filter((p) => p < 0)).toHaveLength(1);
  });
});

describe("assignLeftovers", () => {
  // 0 and 1 are placed; 2 talks to 1 (part 1) more than to 0 (part 0).
  const g = graphFromEdges(3, [[0, 2, 1], [1, 2, 5]], [[1], [1], [1]]);
  it.each([
    { name: "to the part it talks to most", limit: [2, 2], want: 1 },
    { name: "elsewhere when that part is full", limit: [2, 1], want: 0 },
    { name: "nowhere when every part is full", limit: [1, 1], want: -1 },
  ])("$name", ({ limit, want }) => {
    const part = Int32Array.of(0, 1, -1);
    const used = partLoads(g, part, 2);
    assignLeftovers(g, part, 2, used, Float64Array.from(limit));
    expect(part[2]).toBe(want);
  });
});
