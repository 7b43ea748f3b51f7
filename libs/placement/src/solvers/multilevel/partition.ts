import type { Rng } from "@ferry/random";
import { MaxHeap } from "../heap";
import type { Graph } from "./graph";
import { fitsPart } from "./graph";

/**
 * Initial partition of the coarsest graph into K parts by graph growing: parts are grown one after the other,
 * largest capacity first; each starts from a seed vertex (the largest free one, or on later tries a random one of
 * the largest few) and repeatedly takes the free vertex most connected to it, while the part stays within its
 * `target` (its fair share). Vertices left over go to the part they talk to most that is within `limit` (the
 * fair share plus slack, or the hard capacity). A vertex no part can take stays -1.
 *
 * target and limit are per part and resource: x[p * R + r].
 */
export function growPartition(g: Graph, K: number, target: Float64Array, limit: Float64Array, rng: Rng, randomSeeds: boolean): Int32Array {
  const R = g.R;
  const part = new Int32Array(g.n).fill(-1);
  const used = new Float64Array(K * R);
  if (K === 0) return part;
  const heavy = bySizeDescending(g, limit, K);
  const order = Array.from({ length: K }, (_, p) => p);
  const capacity = (p: number): number => {
    let s = 0;
    for (let r = 0; r < R; r++) s += target[p * R + r];
    return s;
  };
  order.sort((x, y) => capacity(y) - capacity(x) || x - y);
  const gain = new Float64Array(g.n);
  const rejected = new Int32Array(g.n).fill(-1);
  const heap = new MaxHeap();
  for (const p of order) {
    heap.clear();
    let seedPtr = 0;
    for (;;) {
      let v = -1;
      while (heap.size > 0) {
        const key = heap.topKey();
        const x = heap.topValue();
        heap.pop();
        if (part[x] === -1 && rejected[x] !== p && gain[x] === key) {
          v = x;
          break;
        }
      }
      if (v < 0 && randomSeeds && seedPtr === 0) {
        // Random seed among the largest free vertices, so that tries differ.
        const free: number[] = [];
        for (let i = 0; i < heavy.length && free.length < 8; i++) if (part[heavy[i]] === -1) free.push(heavy[i]);
        if (free.length > 0) v = free[rng.int(free.length)];
        seedPtr = 1;
      }
      while (v < 0 && seedPtr < heavy.length) {
        const x = heavy[seedPtr++];
        if (part[x] === -1 && rejected[x] !== p) v = x;
      }
      if (v < 0) break;
      if (!fitsPart(g, v, p, used, target)) {
        rejected[v] = p;
        continue;
      }
      part[v] = p;
      for (let r = 0; r < R; r++) used[p * R + r] += g.size[v * R + r];
      for (let e = g.start[v]; e < g.start[v + 1]; e++) {
        const x = g.to[e];
        if (part[x] !== -1 || rejected[x] === p) continue;
        gain[x] += g.w[e];
        heap.push(gain[x], x);
      }
    }
    for (let v = 0; v < g.n; v++) if (part[v] === -1) gain[v] = 0;
  }
  assignLeftovers(g, part, K, used, limit);
  return part;
}

/**
 * Puts every unassigned vertex (-1), largest first, in the part it is most connected to among those with room
 * under `limit` (ties: the part with the most room left); updates `used`. Vertices that fit nowhere stay -1.
 */
export function assignLeftovers(g: Graph, part: Int32Array, K: number, used: Float64Array, limit: Float64Array): number {
  const R = g.R;
  const conn = new Float64Array(K);
  let left = 0;
  for (const v of bySizeDescending(g, limit, K)) {
    if (part[v] >= 0) continue;
    conn.fill(0);
    for (let e = g.start[v]; e < g.start[v + 1]; e++) if (part[g.to[e]] >= 0) conn[part[g.to[e]]] += g.w[e];
    let best = -1;
    let bestRoom = -Infinity;
    for (let p = 0; p < K; p++) {
      if (!fitsPart(g, v, p, used, limit)) continue;
      let room = Infinity;
      for (let r = 0; r < R; r++) if (limit[p * R + r] > 0) room = Math.min(room, (limit[p * R + r] - used[p * R + r]) / limit[p * R + r]);
      if (best < 0 || conn[p] > conn[best] + 1e-12 || (Math.abs(conn[p] - conn[best]) <= 1e-12 && room > bestRoom)) {
        best = p;
        bestRoom = room;
      }
    }
    if (best < 0) {
      left++;
      continue;
    }
    part[v] = best;
    for (let r = 0; r < R; r++) used[best * R + r] += g.size[v * R + r];
  }
  return left;
}

/** Vertices by size, largest first, where a size sums each resource relative to the mean part limit. */
function bySizeDescending(g: Graph, limit: Float64Array, K: number): Int32Array {
  const R = g.R;
  const scale = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let p = 0; p < K; p++) s += limit[p * R + r];
    scale[r] = s > 0 ? K / s : 0;
  }
  const key = new Float64Array(g.n);
  for (let v = 0; v < g.n; v++) for (let r = 0; r < R; r++) key[v] += g.size[v * R + r] * scale[r];
  return Int32Array.from({ length: g.n }, (_, v) => v).sort((x, y) => key[y] - key[x] || x - y);
}
