import { MaxHeap } from "../heap";
import type { Graph } from "./graph";
import { fitsPart } from "./graph";

/**
 * k-way Fiduccia-Mattheyses refinement of a partition under per-part resource limits.
 *
 * One pass: every vertex gets a key, the gain (cut decrease) of its best move to a part it is connected to and
 * that has room. Repeatedly take the vertex with the best key (lazily: a key is recomputed when popped and the
 * vertex pushed back if it changed), move it even when the gain is negative, lock it for the rest of the pass,
 * and update its neighbours' keys. Remember the point where the cumulative gain was highest; after
 * `maxUphill` moves without beating it, or when no move is left, undo every move after that point. Negative
 * moves let a pass climb out of local minima that greedy moves cannot leave. Passes repeat while they gain.
 *
 * Unassigned vertices (-1) are left alone. `used` holds the loads per part and is kept up to date.
 * Returns the total cut decrease.
 */
export interface FmOptions {
  readonly passes?: number;
  /** Moves without a new best before a pass stops; default max(25, 5 % of the vertices). */
  readonly maxUphill?: number;
}

const EPS = 1e-9;

export class FmRefiner {
  private conn = new Float64Array(0);
  private touched: number[] = [];
  private readonly heap = new MaxHeap();

  refine(g: Graph, part: Int32Array, K: number, used: Float64Array, limit: Float64Array, opts: FmOptions = {}): number {
    if (this.conn.length < K) this.conn = new Float64Array(K);
    const passes = opts.passes ?? 4;
    const maxUphill = opts.maxUphill ?? Math.max(25, Math.ceil(0.05 * g.n));
    const locked = new Uint8Array(g.n);
    const key = new Float64Array(g.n);
    const target = new Int32Array(g.n);
    const log: number[] = [];
    let total = 0;
    for (let pass = 0; pass < passes; pass++) {
      locked.fill(0);
      const heap = this.heap;
      heap.clear();
      for (let v = 0; v < g.n; v++) if (this.keyOf(g, part, used, limit, v, key, target)) heap.push(key[v], v);
      log.length = 0;
      let cum = 0;
      let best = 0;
      let bestLen = 0;
      let uphill = 0;
      while (heap.size > 0 && uphill < maxUphill) {
        const k = heap.topKey();
        const v = heap.topValue();
        heap.pop();
        if (locked[v] || part[v] < 0) continue;
        if (!this.keyOf(g, part, used, limit, v, key, target)) continue;
        if (Math.abs(key[v] - k) > EPS) {
          heap.push(key[v], v);
          continue;
        }
        const from = part[v];
        const to = target[v];
        this.place(g, part, used, v, to);
        locked[v] = 1;
        log.push(v, from);
        cum += key[v];
        if (cum > best + EPS) {
          best = cum;
          bestLen = log.length;
          uphill = 0;
        } else uphill++;
        for (let e = g.start[v]; e < g.start[v + 1]; e++) {
          const x = g.to[e];
          if (!locked[x] && part[x] >= 0 && this.keyOf(g, part, used, limit, x, key, target)) heap.push(key[x], x);
        }
      }
      while (log.length > bestLen) {
        const from = log.pop()!;
        const v = log.pop()!;
        this.place(g, part, used, v, from);
      }
      total += best;
      if (best <= EPS) break;
    }
    return total;
  }

  private place(g: Graph, part: Int32Array, used: Float64Array, v: number, to: number): void {
    const R = g.R;
    const from = part[v];
    for (let r = 0; r < R; r++) {
      used[from * R + r] -= g.size[v * R + r];
      used[to * R + r] += g.size[v * R + r];
    }
    part[v] = to;
  }

  /** Best move of v: key[v] = gain, target[v] = part; false when v touches no other part with room. */
  private keyOf(g: Graph, part: Int32Array, used: Float64Array, limit: Float64Array, v: number, key: Float64Array, target: Int32Array): boolean {
    const conn = this.conn;
    const touched = this.touched;
    touched.length = 0;
    const own = part[v];
    let internal = 0;
    for (let e = g.start[v]; e < g.start[v + 1]; e++) {
      const p = part[g.to[e]];
      if (p < 0) continue;
      if (p === own) {
        internal += g.w[e];
        continue;
      }
      if (conn[p] === 0) touched.push(p);
      conn[p] += g.w[e];
    }
    let best = -1;
    let bestGain = -Infinity;
    for (const p of touched) {
      if (conn[p] - internal > bestGain && fitsPart(g, v, p, used, limit)) {
        bestGain = conn[p] - internal;
        best = p;
      }
    }
    for (const p of touched) conn[p] = 0;
    if (best < 0) return false;
    key[v] = bestGain;
    target[v] = best;
    return true;
  }
}
