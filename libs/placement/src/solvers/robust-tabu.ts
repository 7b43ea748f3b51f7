import type { Clock } from "../clock";
import { frozenClock } from "../clock";
import type { Rng } from "@ferry/random";
import type { QapDeltaState } from "./qap-delta";

/**
 * Robust tabu search over pairwise swaps (Taillard 1991, with the rules of his public tabou_qap.c):
 * - a swap (i, j) is tabu when both facilities would return to locations they left recently; the reverse of a
 *   move stays forbidden for cube(U) * tenureMax iterations (U uniform in [0, 1));
 * - aspiration: a tabu move is allowed if it gives a new best, or (diversification) if one of the two
 *   facilities has not been at its target location for `aspiration` iterations; aspired moves win over others.
 *
 * One iteration costs O(n^2): the delta matrix is updated in O(1) per pair (see QapDeltaState) in the same pass
 * that selects the next move, so the matrix is read once per iteration.
 */
export interface TabuParams {
  /** Longest tabu tenure; Taillard uses 8n. */
  readonly tenureMax: number;
  /** Iterations after which an unused assignment is aspired; Taillard uses 5n^2. */
  readonly aspiration: number;
}

export function defaultTabuParams(n: number): TabuParams {
  return { tenureMax: 8 * n, aspiration: 5 * n * n };
}

export class RobustTabu {
  /** tabu[i * n + l]: iteration until which facility i may not return to location l. */
  readonly tabu: Int32Array;
  /** The same values indexed by location first (tabuL[l * n + i] = tabu[i * n + l]), so both reads of a pair scan rows. */
  readonly tabuL: Int32Array;
  iteration = 0;
  bestCost = Infinity;
  readonly bestP: Int32Array;
  /** Iteration at which bestCost was last improved. */
  bestIteration = 0;
  /** Clock reading at which bestCost was last improved. */
  bestAtMs = 0;

  constructor(
    readonly state: QapDeltaState,
    readonly rng: Rng,
    public params: TabuParams,
    private readonly clock: Clock = frozenClock,
  ) {
    const n = state.n;
    this.tabu = new Int32Array(n * n);
    this.tabuL = new Int32Array(n * n);
    // Taillard's initial values: distinct and in the past, so that nothing is tabu or aspired at the start.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) this.setTabu(i, j, -(n * i + j));
    this.bestP = new Int32Array(n);
  }

  private setTabu(i: number, l: number, until: number): void {
    this.tabu[i * this.state.n + l] = until;
    this.tabuL[l * this.state.n + i] = until;
  }

  /** Records the state's current permutation as best if it beats the best so far. */
  offerCurrent(): void {
    if (this.state.cost < this.bestCost) {
      this.bestCost = this.state.cost;
      this.bestP.set(this.state.p);
      this.bestIteration = this.iteration;
      this.bestAtMs = this.clock.nowMs();
    }
  }

  /**
   * Runs up to `maxIterations` tabu iterations from the state's current permutation. `stop` is polled whenever
   * the global iteration count is a multiple of `pollEvery` (a deadline check); returns the number of iterations done. `bestCost`/`bestP` track the
   * best permutation seen; `best` (the bar for aspiration) is the tracked best.
   */
  run(maxIterations: number, stop: () => boolean, pollEvery: number): number {
    const st = this.state;
    const n = st.n;
    if (n < 2) return 0;
    const delta = st.delta;
    const tabu = this.tabu;
    const tabuL = this.tabuL;
    const p = st.p;
    const x = st.x;
    const y = st.y;
    const xt = st.xt;
    const yt = st.yt;
    const sym = st.symmetric;
    const tenureMax = this.params.tenureMax;
    const aspiration = this.params.aspiration;
    const rng = this.rng;
    this.offerCurrent();
    let best = this.bestCost;
    let u = -1;
    let v = -1;
    {
      // Selection for the first iteration, with no update.
      const nit = this.iteration + 1;
      const aspT = nit - aspiration;
      const cur = st.cost;
      let minD = Infinity;
      let already = false;
      for (let i = 0; i < n - 1; i++) {
        const row = i * n;
        const lrow = p[i] * n;
        for (let j = i + 1; j < n; j++) {
          const d = delta[row + j];
          const ti = tabu[row + p[j]];
          const tj = tabuL[lrow + j];
          if (cur + d < best || ti < aspT || tj < aspT) {
            if (!already || d < minD) {
              already = true;
              minD = d;
              u = i;
              v = j;
            }
          } else if (!already && d < minD && (ti < nit || tj < nit)) {
            minD = d;
            u = i;
            v = j;
          }
        }
      }
    }
    let done = 0;
    while (done < maxIterations) {
      if (u < 0) break; // every move tabu: cannot happen with tenure < aspiration, kept as a guard
      // Poll on the global iteration count, so short runs (one per restart) still reach the clock.
      if (this.iteration % pollEvery === 0 && stop()) break;
      done++;
      const it = ++this.iteration;
      st.applySwap(u, v);
      const cur = st.cost;
      const r1 = rng.next();
      const r2 = rng.next();
      const tu = it + Math.floor(r1 * r1 * r1 * tenureMax);
      const tv = it + Math.floor(r2 * r2 * r2 * tenureMax);
      tabu[u * n + p[v]] = tu;
      tabuL[p[v] * n + u] = tu;
      tabu[v * n + p[u]] = tv;
      tabuL[p[u] * n + v] = tv;
      if (cur < best) {
        best = cur;
        this.bestCost = cur;
        this.bestP.set(p);
        this.bestIteration = it;
        this.bestAtMs = this.clock.nowMs();
      }
      if (sym) {
        for (let k = 0; k < n; k++) {
          if (k !== u) delta[k < u ? k * n + u : u * n + k] = st.touchedDelta(k, u);
          if (k !== v && k !== u) delta[k < v ? k * n + v : v * n + k] = st.touchedDelta(k, v);
        }
      } else {
        for (let k = 0; k < n; k++) {
          if (k !== u) delta[k < u ? k * n + u : u * n + k] = st.computeDelta(k < u ? k : u, k < u ? u : k);
          if (k !== v && k !== u) delta[k < v ? k * n + v : v * n + k] = st.computeDelta(k < v ? k : v, k < v ? v : k);
        }
      }
      const nit = it + 1;
      const aspT = nit - aspiration;
      const gap = best - cur;
      let minD = Infinity;
      let already = false;
      let nu = -1;
      let nv = -1;
      for (let i = 0; i < n - 1; i++) {
        const row = i * n;
        const lrow = p[i] * n;
        const touchI = i === u || i === v;
        const xi = x[i];
        const yi = y[i];
        if (!touchI && sym) {
          for (let j = i + 1; j < n; j++) {
            let d = delta[row + j];
            if (j !== u && j !== v) {
              d += (xi - x[j]) * (y[j] - yi);
              delta[row + j] = d;
            }
            if (already) {
              if (d < minD && (d < gap || tabu[row + p[j]] < aspT || tabuL[lrow + j] < aspT)) {
                minD = d;
                nu = i;
                nv = j;
              }
            } else {
              const ti = tabu[row + p[j]];
              const tj = tabuL[lrow + j];
              if (d < gap || ti < aspT || tj < aspT) {
                already = true;
                minD = d;
                nu = i;
                nv = j;
              } else if (d < minD && (ti < nit || tj < nit)) {
                minD = d;
                nu = i;
                nv = j;
              }
            }
          }
          continue;
        }
        const xti = xt[i];
        const yti = yt[i];
        for (let j = i + 1; j < n; j++) {
          let d = delta[row + j];
          if (!touchI && j !== u && j !== v) {
            d += (xi - x[j]) * (y[j] - yi) + (xti - xt[j]) * (yt[j] - yti);
            delta[row + j] = d;
          }
          if (already) {
            if (d < minD && (d < gap || tabu[row + p[j]] < aspT || tabuL[lrow + j] < aspT)) {
              minD = d;
              nu = i;
              nv = j;
            }
          } else {
            const ti = tabu[row + p[j]];
            const tj = tabuL[lrow + j];
            if (d < gap || ti < aspT || tj < aspT) {
              already = true;
              minD = d;
              nu = i;
              nv = j;
            } else if (d < minD && (ti < nit || tj < nit)) {
              minD = d;
              nu = i;
              nv = j;
            }
          }
        }
      }
      u = nu;
      v = nv;
    }
    return done;
  }
}
