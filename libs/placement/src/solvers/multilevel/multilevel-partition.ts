import type { Rng } from "@ferry/random";
import type { CoarseLevel } from "./coarsen";
import { coarsen } from "./coarsen";
import type { Graph } from "./graph";
import { cutWeight, partLoads } from "./graph";
import type { FmOptions } from "./refine-fm";
import { FmRefiner } from "./refine-fm";
import { assignLeftovers, growPartition } from "./partition";

/**
 * Multilevel k-way partitioning under per-part resource limits (the V-cycle of METIS-like partitioners):
 *  1. coarsen the graph by heavy-edge matching down to about `coarsestPerPart` vertices per part;
 *  2. partition the coarsest graph by graph growing, `tries` times from different seeds, each refined by FM, and
 *     keep the best (fewest unassigned, then smallest cut);
 *  3. project the partition back level by level; at each level place the vertices still unassigned (smaller
 *     now) where they fit, then refine with FM;
 *  4. iterate: coarsen again, matching only inside parts, and refine once more on the way down (a new hierarchy
 *     lets FM move other clusters than the first one did).
 * Parts are filled towards `target` when grown and never beyond `limit` (both x[p * R + r]). Returns the part of
 * every vertex, -1 for those that fit in no part.
 *
 * With `initial` (a part per vertex, -1 for none), steps 1-3 are replaced by that partition, its unassigned
 * vertices placed where they fit and refined by FM; the V-cycles of step 4 then improve it (adaptive
 * repartitioning: what is already well placed stays, clusters that are spread get gathered).
 */
export interface MultilevelOptions {
  readonly tries?: number;
  readonly coarsestPerPart?: number;
  /** Largest coarse vertex as a share of the smallest part limit (default 0.5). */
  readonly maxVertexShare?: number;
  readonly fm?: FmOptions;
  /** V-cycles in all (default 2): the later ones coarsen inside the current parts and refine again. */
  readonly vCycles?: number;
}

export function multilevelPartition(
  g: Graph,
  K: number,
  target: Float64Array,
  limit: Float64Array,
  rng: Rng,
  opts: MultilevelOptions = {},
  initial?: Int32Array,
): Int32Array {
  const R = g.R;
  if (K <= 1 || g.n === 0) {
    const part = new Int32Array(g.n).fill(-1);
    if (K === 1) assignLeftovers(g, part, 1, new Float64Array(R), limit);
    return part;
  }
  const maxSize = new Float64Array(R).fill(Infinity);
  const share = opts.maxVertexShare ?? 0.5;
  for (let p = 0; p < K; p++) for (let r = 0; r < R; r++) maxSize[r] = Math.min(maxSize[r], limit[p * R + r] * share);
  const fm = new FmRefiner();
  let part = initial ? Int32Array.from(initial) : fromScratch(g, K, target, limit, rng, opts, maxSize, fm);
  if (initial) {
    const used = partLoads(g, part, K);
    assignLeftovers(g, part, K, used, limit);
    fm.refine(g, part, K, used, limit, opts.fm);
  }
  // Iterated V-cycles: coarsen again inside the parts (so the partition survives) and refine on the way down.
  const cycles = opts.vCycles ?? 2;
  for (let cycle = initial ? 0 : 1; cycle < cycles; cycle++) {
    const again = coarsen(g, { targetVertices: Math.max(16, K * (opts.coarsestPerPart ?? 30)), maxSize }, rng, part);
    if (again.length === 0) break;
    const top = again[again.length - 1];
    fm.refine(top.graph, top.part!, K, partLoads(top.graph, top.part!, K), limit, opts.fm);
    part = uncoarsen(g, again, top.part!, K, limit, fm, opts.fm);
  }
  return part;
}

/** Steps 1-3: coarsen, partition the coarsest graph (best of `tries`), project back with refinement. */
function fromScratch(g: Graph, K: number, target: Float64Array, limit: Float64Array, rng: Rng, opts: MultilevelOptions, maxSize: Float64Array, fm: FmRefiner): Int32Array {
  const R = g.R;
  const levels: CoarseLevel[] = coarsen(g, { targetVertices: Math.max(16, K * (opts.coarsestPerPart ?? 30)), maxSize }, rng);
  const coarsest = levels.length > 0 ? levels[levels.length - 1].graph : g;
  let part: Int32Array | undefined;
  let bestUnassigned = Infinity;
  let bestCut = Infinity;
  const tries = opts.tries ?? 16;
  for (let t = 0; t < tries; t++) {
    const candidate = growPartition(coarsest, K, target, limit, rng, t > 0);
    fm.refine(coarsest, candidate, K, partLoads(coarsest, candidate, K), limit, opts.fm);
    let unassigned = 0;
    for (let v = 0; v < coarsest.n; v++) if (candidate[v] < 0) for (let r = 0; r < R; r++) unassigned += coarsest.size[v * R + r];
    const cut = cutWeight(coarsest, candidate);
    if (unassigned < bestUnassigned - 1e-9 || (unassigned <= bestUnassigned + 1e-9 && cut < bestCut - 1e-9)) {
      part = candidate;
      bestUnassigned = unassigned;
      bestCut = cut;
    }
  }
  return uncoarsen(g, levels, part!, K, limit, fm, opts.fm);
}

/** Projects a partition of the coarsest level back to `g`, placing leftovers and refining at every level. */
function uncoarsen(g: Graph, levels: readonly CoarseLevel[], coarsest: Int32Array, K: number, limit: Float64Array, fm: FmRefiner, fmOpts: FmOptions | undefined): Int32Array {
  let part = coarsest;
  for (let i = levels.length - 1; i >= 0; i--) {
    const fine = i > 0 ? levels[i - 1].graph : g;
    const coarseOf = levels[i].coarseOf;
    const projected = new Int32Array(fine.n);
    for (let v = 0; v < fine.n; v++) projected[v] = part[coarseOf[v]];
    const used = partLoads(fine, projected, K);
    assignLeftovers(fine, projected, K, used, limit);
    fm.refine(fine, projected, K, used, limit, fmOpts);
    part = projected;
  }
  return part;
}
