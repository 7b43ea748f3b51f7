import type { Rng } from "@ferry/random";
import type { Graph } from "./graph";
import { randomOrder } from "../solver";

/**
 * Coarsening by heavy-edge matching (the first phase of multilevel partitioning, as in METIS): visit the vertices
 * in a seeded random order; match each unmatched vertex with the unmatched neighbour joined by the heaviest edge,
 * provided the pair stays within `maxSize` on every resource; contract every matched pair into one vertex (sizes
 * add, parallel edges merge, the edge between the two disappears). Heavy edges end up inside coarse vertices, so
 * a partition of the coarse graph cuts only light ones.
 */
export interface CoarseLevel {
  /** The coarser graph. */
  readonly graph: Graph;
  /** coarseOf[v]: the vertex of `graph` that fine vertex v became. */
  readonly coarseOf: Int32Array;
}

export interface CoarsenOptions {
  /** Stop once a graph has at most this many vertices. */
  readonly targetVertices: number;
  /** Largest coarse vertex allowed, per resource. */
  readonly maxSize: Float64Array;
  /** Stop when a level shrinks the graph by less than this fraction (default 0.05). */
  readonly minShrink?: number;
}

/** Matching of one level: coarseOf[v] for every vertex and the number of coarse vertices. */
export function heavyEdgeMatching(g: Graph, maxSize: Float64Array, rng: Rng): { coarseOf: Int32Array; count: number } {
  const R = g.R;
  const match = new Int32Array(g.n).fill(-1);
  for (const v of randomOrder(g.n, rng)) {
    if (match[v] >= 0) continue;
    let best = -1;
    let bestW = 0;
    for (let e = g.start[v]; e < g.start[v + 1]; e++) {
      const x = g.to[e];
      if (x === v || match[x] >= 0 || g.w[e] <= bestW) continue;
      let fits = true;
      for (let r = 0; r < R && fits; r++) fits = g.size[v * R + r] + g.size[x * R + r] <= maxSize[r] + 1e-9;
      if (fits) {
        best = x;
        bestW = g.w[e];
      }
    }
    match[v] = best >= 0 ? best : v;
    if (best >= 0) match[best] = v;
  }
  const coarseOf = new Int32Array(g.n).fill(-1);
  let count = 0;
  for (let v = 0; v < g.n; v++) {
    if (coarseOf[v] >= 0) continue;
    coarseOf[v] = count;
    coarseOf[match[v]] = count;
    count++;
  }
  return { coarseOf, count };
}

/** The graph of the coarse vertices: sizes summed, edges between two coarse vertices merged. */
export function contract(g: Graph, coarseOf: Int32Array, count: number): Graph {
  const R = g.R;
  const size = new Float64Array(count * R);
  // Fine vertices grouped by coarse vertex (CSR), to build each coarse adjacency list in one sweep.
  const memberStart = new Int32Array(count + 1);
  for (let v = 0; v < g.n; v++) memberStart[coarseOf[v] + 1]++;
  for (let c = 0; c < count; c++) memberStart[c + 1] += memberStart[c];
  const members = new Int32Array(g.n);
  const fill = memberStart.slice(0, count);
  for (let v = 0; v < g.n; v++) {
    members[fill[coarseOf[v]]++] = v;
    for (let r = 0; r < R; r++) size[coarseOf[v] * R + r] += g.size[v * R + r];
  }
  const slot = new Int32Array(count).fill(-1);
  const start = new Int32Array(count + 1);
  const to: number[] = [];
  const w: number[] = [];
  for (let c = 0; c < count; c++) {
    const first = to.length;
    for (let k = memberStart[c]; k < memberStart[c + 1]; k++) {
      const v = members[k];
      for (let e = g.start[v]; e < g.start[v + 1]; e++) {
        const x = coarseOf[g.to[e]];
        if (x === c) continue;
        if (slot[x] < first || to[slot[x]] !== x) {
          slot[x] = to.length;
          to.push(x);
          w.push(g.w[e]);
        } else w[slot[x]] += g.w[e];
      }
    }
    start[c + 1] = to.length;
  }
  return { n: count, R, start, to: Int32Array.from(to), w: Float64Array.from(w), size };
}

/** Levels from the first coarsening of `g` to the coarsest; empty when `g` is already small enough. */
export function coarsen(g: Graph, opts: CoarsenOptions, rng: Rng): CoarseLevel[] {
  const levels: CoarseLevel[] = [];
  const minShrink = opts.minShrink ?? 0.05;
  let cur = g;
  while (cur.n > opts.targetVertices) {
    const { coarseOf, count } = heavyEdgeMatching(cur, opts.maxSize, rng);
    if (count > cur.n * (1 - minShrink)) break;
    const next = contract(cur, coarseOf, count);
    levels.push({ graph: next, coarseOf });
    cur = next;
  }
  return levels;
}
