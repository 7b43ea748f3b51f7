import type { Graph } from "./graph";
import { graphFromEdges } from "./graph";

/**
 * Planted cliques for the partitioner's tests: `cliques` groups of `size` unit-size vertices, every pair inside a
 * group joined with weight `heavy`, and group i joined to group i + 1 by one edge of weight `light` (a chain, so
 * the graph is connected and the planted partition cuts cliques - 1 light edges).
 */
export function plantedCliques(cliques: number, size: number, heavy = 10, light = 1): Graph {
  const edges: [number, number, number][] = [];
  for (let c = 0; c < cliques; c++) {
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) edges.push([c * size + i, c * size + j, heavy]);
    if (c + 1 < cliques) edges.push([c * size + size - 1, (c + 1) * size, light]);
  }
  const n = cliques * size;
  return graphFromEdges(n, edges, Array.from({ length: n }, () => [1]));
}

/** The clique of each vertex, for comparing partitions up to renaming of the parts. */
export function samePartition(part: Int32Array, cliques: number, size: number): boolean {
  const seen = new Set<number>();
  for (let c = 0; c < cliques; c++) {
    const p = part[c * size];
    if (p < 0 || seen.has(p)) return false;
    seen.add(p);
    for (let i = 1; i < size; i++) if (part[c * size + i] !== p) return false;
  }
  return true;
}
