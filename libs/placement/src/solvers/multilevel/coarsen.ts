import type { Rng } from "@ferry/random";
import type { Graph } from "./graph";
import { randomOrder } from "../solver";

/**
 * Coarsening by heavy-edge matching (the first phase of multilevel partitioning, as in METIS): visit the vertices
 * in a seeded random order; match each unmatched vertex with the unmatched neighbour joined by the heaviest edge,
 * provided the pair stays within `maxSize` on every resource and the edge is not much lighter than the vertex's
 * heaviest; contract every matched pair into one vertex (sizes
 * add, parallel edges merge, the edge between the two disappears). Heavy edges end up inside coarse vertices, so
 * a partition of the coarse graph cuts only light ones.
 */
export interface CoarseLevel {
  /** The coarser graph. */
  readonly graph: Graph;
  /** coarseOf[v]: the vertex of `graph` that fine vertex v became. */
  readonly coarseOf: Int32Array;
  /** With a partition to respect (see coarsen): the part of every vertex of `graph`. */
  readonly part?: Int32Array;
}

export interface CoarsenOptions {
  /** Stop once a graph has at most this many vertices. */
  readonly targetVertices: number;
  /** Largest coarse vertex allowed, per resource. */
  readonly maxSize: Float64Array;
  /** Stop when a level shrinks the graph by less than this fraction (default 0.05). */
  readonly minShrink?: number;
  /** See heavyEdgeMatching (default 0.2). */
  readonly minEdgeShare?: number;
}

/**
 * Matching of one level: coarseOf[v] for every vertex and the number of coarse vertices. With `within`, only
 * vertices of the same part (within[v]) are matched. Two vertices are matched only over an edge of at least
 * `minEdgeShare` of the heaviest edge of either: once its heavy partners are taken, plain heavy-edge matching would merge it
 * over a light edge with another cluster (another application), which the partition can then never separate; it
 * stays single instead. On the planted benchmark this cut the pod-level cut by half.
 */
export function heavyEdgeMatching(g: Graph, maxSize: Float64Array, rng: Rng, within?: Int32Array, minEdgeShare = 0.2): { coarseOf: Int32Array; count: number } {
  const R = g.R;
  const match = new Int32Array(g.n).fill(-1);
  const heaviest = new Float64Array(g.n);
  for (let v = 0; v < g.n; v++) for (let e = g.start[v]; e < g.start[v + 1]; e++) if (g.w[e] > heaviest[v]) heaviest[v] = g.w[e];
  for (const v of randomOrder(g.n, rng)) {
    if (match[v] >= 0) continue;
    let best = -1;
    let bestW = 0;
    for (let e = g.start[v]; e < g.start[v + 1]; e++) {
      const x = g.to[e];
      if (x === v || match[x] >= 0 || g.w[e] <= bestW || (within && within[x] !== within[v])) continue;
      if (g.w[e] < minEdgeShare * Math.max(heaviest[v], heaviest[x])) continue;
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

/**
 * Levels from the first coarsening of `g` to the coarsest; empty when `g` is already small enough. With `within`
 * (a partition of g), vertices are only matched inside their part and every level carries the partition, so a
 * partition can be refined again on a new hierarchy (an iterated V-cycle).
 */
export function coarsen(g: Graph, opts: CoarsenOptions, rng: Rng, within?: Int32Array): CoarseLevel[] {
  const levels: CoarseLevel[] = [];
  const minShrink = opts.minShrink ?? 0.05;
  let cur = g;
  let part = within;
  while (cur.n > opts.targetVertices) {
    const { coarseOf, count } = heavyEdgeMatching(cur, opts.maxSize, rng, part, opts.minEdgeShare);
    if (count > cur.n * (1 - minShrink)) break;
    const next = contract(cur, coarseOf, count);
    let coarsePart: Int32Array | undefined;
    if (part) {
      coarsePart = new Int32Array(count);
      for (let v = 0; v < cur.n; v++) coarsePart[coarseOf[v]] = part[v];
    }
    levels.push({ graph: next, coarseOf, part: coarsePart });
    cur = next;
    part = coarsePart;
  }
  return levels;
}
