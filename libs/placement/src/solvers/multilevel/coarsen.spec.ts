import { createRng } from "@ferry/random";
import { describe, expect, it } from "vitest";
import { coarsen, contract, heavyEdgeMatching } from "./coarsen";
import { graphFromEdges } from "./graph";
import { plantedCliques } from "./test-graphs";

describe("heavy-edge matching", () => {
  // A path 0-1-2-3 with weights 9, 1, 5: whichever vertex is visited first, its heaviest free neighbour is its
  // partner in {0, 1} or {2, 3}, never across the light middle edge.
  const path = graphFromEdges(4, [[0, 1, 9], [1, 2, 1], [2, 3, 5]], [[1], [1], [1], [1]]);
  it.each([
    { name: "matches the heavy edges", seed: 1, maxSize: 2, pairs: [[0, 1], [2, 3]] },
    { name: "another visiting order, same matching", seed: 7, maxSize: 2, pairs: [[0, 1], [2, 3]] },
    { name: "nothing is matched when pairs exceed maxSize", seed: 1, maxSize: 1.5, pairs: [] },
  ])("$name", ({ seed, maxSize, pairs }) => {
    const { coarseOf, count } = heavyEdgeMatching(path, Float64Array.of(maxSize), createRng(seed));
    for (const [a, b] of pairs) expect(coarseOf[a]).toBe(coarseOf[b]);
    expect(count).toBe(4 - pairs.length);
  });
  // Two heavy pairs {0, 1} and {3, 4} (10) and vertex 2 joined to 0 and 3 by edges of 1: a tenth of their
  // heaviest, so 2 stays single with minEdgeShare 0.2, whatever the visiting order.
  const star = graphFromEdges(5, [[0, 1, 10], [0, 2, 1], [2, 3, 1], [3, 4, 10]], [[1], [1], [1], [1], [1]]);
  it.each([
    { name: "a light edge stays unmatched", seeds: [1, 2, 3, 4, 5, 6, 7, 8], minEdgeShare: 0.2, single: true },
    { name: "any edge may be matched with minEdgeShare 0", seeds: [1, 2, 3, 4, 5, 6, 7, 8], minEdgeShare: 0, single: false },
  ])("$name", ({ seeds, minEdgeShare, single }) => {
    let alwaysSingle = true;
    for (const seed of seeds) {
      const { coarseOf } = heavyEdgeMatching(star, Float64Array.of(2), createRng(seed), undefined, minEdgeShare);
      alwaysSingle &&= coarseOf.filter((x) => x === coarseOf[2]).length === 1;
    }
    expect(alwaysSingle).toBe(single);
  });
  it.each([
    { name: "inside parts only", seed: 1, within: [0, 1, 1, 1], pairs: [[2, 3]], apart: [[0, 1]] },
  ])("$name", ({ seed, within, pairs, apart }) => {
    const { coarseOf } = heavyEdgeMatching(path, Float64Array.of(2), createRng(seed), Int32Array.from(within));
    for (const [a, b] of pairs) expect(coarseOf[a]).toBe(coarseOf[b]);
    for (const [a, b] of apart) expect(coarseOf[a]).not.toBe(coarseOf[b]);
  });
});

describe("contract", () => {
  it.each([
    // {0,1} and {2,3}: sizes add, the edges 0-2 (2) and 1-3 (3) merge into one edge of 5, 0-1 disappears.
    { name: "parallel edges merge", coarseOf: [0, 0, 1, 1], count: 2, sizes: [3, 7], edges: [[0, 1, 5]] },
    { name: "identity keeps the graph", coarseOf: [0, 1, 2, 3], count: 4, sizes: [1, 2, 3, 4], edges: [[0, 1, 4], [0, 2, 2], [1, 3, 3], [2, 3, 1]] },
  ])("$name", ({ coarseOf, count, sizes, edges }) => {
    const g = graphFromEdges(4, [[0, 1, 4], [0, 2, 2], [1, 3, 3], [2, 3, 1]], [[1], [2], [3], [4]]);
    const c = contract(g, Int32Array.from(coarseOf), count);
    expect(Array.from(c.size)).toEqual(sizes);
    const got: number[][] = [];
    for (let v = 0; v < c.n; v++) for (let e = c.start[v]; e < c.start[v + 1]; e++) if (v < c.to[e]) got.push([v, c.to[e], c.w[e]]);
    expect(got.sort((x, y) => x[0] - y[0] || x[1] - y[1])).toEqual(edges);
  });
});

describe("coarsen", () => {
  it.each([
    { name: "down to the target", target: 8, maxSize: 100, atMost: 8 },
    { name: "stops when maxSize blocks every match", target: 1, maxSize: 1, atMost: 32 },
  ])("$name", ({ target, maxSize, atMost }) => {
    const g = plantedCliques(4, 8);
    const levels = coarsen(g, { targetVertices: target, maxSize: Float64Array.of(maxSize) }, createRng(1));
    const last = levels.length > 0 ? levels[levels.length - 1].graph : g;
    expect(last.n).toBeLessThanOrEqual(atMost);
    // Sizes are conserved at every level.
    for (const l of levels) expect(l.graph.size.reduce((s, x) => s + x, 0)).toBe(32);
  });
});
