import type { Cluster } from "../../model/cluster";

/**
 * An undirected weighted graph with vector vertex weights, as CSR arrays: the neighbours of v are
 * to[start[v] .. start[v + 1]) with edge weights w[...]; size[v * R + r] is v's demand of resource r. Every edge is
 * listed from both ends with the same weight. The multilevel partitioner works only on this form.
 */
export interface Graph {
  readonly n: number;
  readonly R: number;
  readonly start: Int32Array;
  readonly to: Int32Array;
  readonly w: Float64Array;
  readonly size: Float64Array;
}

/**
 * The traffic graph between some units of the cluster: vertex i is units[i], edges are the traffic between two
 * listed units (both directions summed), vertex weights the units' demands. Traffic to units outside the list is
 * left out: under a tree topology they sit outside the subtree being split, equally far from every part.
 * `localOf` is scratch of length unitCount filled with -1, and left that way.
 */
export function unitGraph(c: Cluster, units: Int32Array, localOf: Int32Array): Graph {
  const R = c.resourceCount;
  const n = units.length;
  for (let i = 0; i < n; i++) localOf[units[i]] = i;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const u = units[i];
    let d = 0;
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) if (localOf[c.adjTo[e]] >= 0) d++;
    start[i + 1] = start[i] + d;
  }
  const to = new Int32Array(start[n]);
  const w = new Float64Array(start[n]);
  const size = new Float64Array(n * R);
  for (let i = 0; i < n; i++) {
    const u = units[i];
    let k = start[i];
    for (let e = c.adjStart[u]; e < c.adjStart[u + 1]; e++) {
      const j = localOf[c.adjTo[e]];
      if (j < 0) continue;
      to[k] = j;
      w[k++] = c.adjW[e] + (c.adjWIn ? c.adjWIn[e] : 0);
    }
    for (let r = 0; r < R; r++) size[i * R + r] = c.unitDemand[u * R + r];
  }
  for (let i = 0; i < n; i++) localOf[units[i]] = -1;
  return { n, R, start, to, w, size };
}

/** Total weight of the edges whose ends are in different parts (or either end unassigned). */
export function cutWeight(g: Graph, part: Int32Array): number {
  let cut = 0;
  for (let v = 0; v < g.n; v++) {
    for (let e = g.start[v]; e < g.start[v + 1]; e++) if (part[v] !== part[g.to[e]] || part[v] < 0) cut += g.w[e];
  }
  return cut / 2;
}

/** Resource use per part: used[p * R + r]. Unassigned vertices (-1) count nowhere. */
export function partLoads(g: Graph, part: Int32Array, K: number): Float64Array {
  const used = new Float64Array(K * g.R);
  for (let v = 0; v < g.n; v++) {
    const p = part[v];
    if (p >= 0) for (let r = 0; r < g.R; r++) used[p * g.R + r] += g.size[v * g.R + r];
  }
  return used;
}

/** True if vertex v fits in part p under `limit` given the loads `used`. */
export function fitsPart(g: Graph, v: number, p: number, used: Float64Array, limit: Float64Array): boolean {
  const R = g.R;
  for (let r = 0; r < R; r++) if (used[p * R + r] + g.size[v * R + r] > limit[p * R + r] + 1e-9) return false;
  return true;
}

/** Builds a graph from an edge list (tests and fixtures): edges [a, b, w] undirected, sizes per vertex. */
export function graphFromEdges(n: number, edges: readonly (readonly [number, number, number])[], sizes: readonly (readonly number[])[]): Graph {
  const R = sizes.length > 0 ? sizes[0].length : 1;
  const start = new Int32Array(n + 1);
  for (const [a, b] of edges) {
    start[a + 1]++;
    start[b + 1]++;
  }
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const to = new Int32Array(start[n]);
  const w = new Float64Array(start[n]);
  for (const [a, b, x] of edges) {
    to[fill[a]] = b;
    w[fill[a]++] = x;
    to[fill[b]] = a;
    w[fill[b]++] = x;
  }
  const size = new Float64Array(n * R);
  for (let v = 0; v < n; v++) for (let r = 0; r < R; r++) size[v * R + r] = sizes[v]?.[r] ?? 1;
  return { n, R, start, to, w, size };
}
