import type { QapInstance } from "../model/qap";

/**
 * The dense-delta state of a QAP search: the permutation, its cost, and the cost change of every pairwise swap.
 *
 * After a swap (u, v), the delta of a pair (i, j) disjoint from {u, v} changes by an O(1) amount (Taillard 1991):
 *   (X[i] - X[j]) * (Y[j] - Y[i]) + (X'[i] - X'[j]) * (Y'[j] - Y'[i])
 * with X[k] = a[u][k] - a[v][k], Y[k] = b[p u][p k] - b[p v][p k] and X', Y' the same on the transposed matrices
 * (p taken after the swap). Only the 2n pairs that touch u or v are recomputed in O(n). A full swap therefore costs
 * O(n^2) and the whole neighbourhood is known after it.
 *
 * When either matrix is symmetric, the other one is replaced by its symmetric part (B + B^T) / 2: the objective is
 * unchanged and both terms collapse into one, halving the work. Halves of integers are exact in doubles.
 */
export class QapDeltaState {
  readonly n: number;
  readonly symmetric: boolean;
  /** p[i] = location of facility i. */
  readonly p: Int32Array;
  cost = 0;
  /** delta[i * n + j] for i < j: cost change of swapping the locations of i and j. */
  readonly delta: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly aT: Float64Array;
  readonly bT: Float64Array;
  /** Scratch vectors of the O(1) update, reused across swaps (yt doubles as the g update's row in the symmetric case). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly xt: Float64Array;
  readonly yt: Float64Array;
  /**
   * Symmetric case only: g[i * n + l] = sum_k a[i][k] * b[l][p[k]], the cost of facility i's links if it sat at
   * location l. Kept up to date by a rank-1 update per swap, it turns the delta of a pair touching the swapped
   * facilities into an O(1) expression (see touchedDelta) instead of an O(n) sum.
   */
  readonly g: Float64Array;

  constructor(inst: QapInstance) {
    const n = inst.n;
    this.n = n;
    const symA = isSymmetric(inst.a, n);
    const symB = isSymmetric(inst.b, n);
    this.symmetric = symA || symB;
    this.a = symA || !symB ? inst.a : symmetricPart(inst.a, n);
    this.b = symB || !symA ? inst.b : symmetricPart(inst.b, n);
    this.aT = this.symmetric ? this.a : transpose(this.a, n);
    this.bT = this.symmetric ? this.b : transpose(this.b, n);
    this.p = new Int32Array(n);
    this.delta = new Float64Array(n * n);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.yt = new Float64Array(n);
    this.g = new Float64Array(this.symmetric ? n * n : 0);
  }

  /** Sets the permutation and recomputes the cost and every delta (O(n^3)). */
  load(perm: ArrayLike<number>): void {
    const n = this.n;
    for (let i = 0; i < n; i++) this.p[i] = perm[i];
    this.cost = this.fullCost();
    if (this.symmetric) this.fillG();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) this.delta[i * n + j] = this.computeDelta(i, j);
  }

  private fillG(): void {
    const { n, a, b, p, g } = this;
    g.fill(0);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k];
        if (aik === 0) continue;
        const bk = p[k] * n;
        for (let l = 0; l < n; l++) g[i * n + l] += aik * b[bk + l];
      }
    }
  }

  /**
   * Symmetric case: the delta of swapping r and s from g, in O(1). Derived from the full formula by writing each
   * sum over k != r, s as a row of g minus its k = r and k = s terms.
   */
  touchedDelta(r: number, s: number): number {
    const { n, a, b, p, g } = this;
    const pr = p[r];
    const ps = p[s];
    const arr = a[r * n + r];
    const ass = a[s * n + s];
    const ars = a[r * n + s];
    const bprpr = b[pr * n + pr];
    const bpsps = b[ps * n + ps];
    const bprps = b[pr * n + ps];
    const gr = r * n;
    const gs = s * n;
    return (
      (arr - ass) * (bpsps - bprpr) +
      2 * (g[gr + ps] - g[gr + pr] - g[gs + ps] + g[gs + pr]) -
      2 * ((arr - ars) * (bprps - bprpr) + (ars - ass) * (bpsps - bprps))
    );
  }

  fullCost(): number {
    const { n, a, b, p } = this;
    let cost = 0;
    for (let i = 0; i < n; i++) {
      const ra = i * n;
      const rb = p[i] * n;
      for (let j = 0; j < n; j++) cost += a[ra + j] * b[rb + p[j]];
    }
    return cost;
  }

  /** Cost change of swapping the locations of r and s, from scratch (O(n)). */
  computeDelta(r: number, s: number): number {
    const { n, a, b, aT, bT, p } = this;
    const pr = p[r];
    const ps = p[s];
    const ar = r * n;
    const as = s * n;
    const bpr = pr * n;
    const bps = ps * n;
    let d = (a[ar + r] - a[as + s]) * (b[bps + ps] - b[bpr + pr]);
    if (this.symmetric) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        if (k === r || k === s) continue;
        const pk = p[k];
        sum += (a[ar + k] - a[as + k]) * (b[bps + pk] - b[bpr + pk]);
      }
      return d + 2 * sum;
    }
    d += (a[ar + s] - a[as + r]) * (b[bps + pr] - b[bpr + ps]);
    for (let k = 0; k < n; k++) {
      if (k === r || k === s) continue;
      const pk = p[k];
      d += (aT[ar + k] - aT[as + k]) * (bT[bps + pk] - bT[bpr + pk]) + (a[ar + k] - a[as + k]) * (b[bps + pk] - b[bpr + pk]);
    }
    return d;
  }

  /** Swaps the locations of u and v and brings every delta up to date (O(n^2)). */
  swap(u: number, v: number): void {
    this.applySwap(u, v);
    const n = this.n;
    const delta = this.delta;
    const x = this.x;
    const y = this.y;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const xi = x[i];
      const yi = y[i];
      const touchI = i === u || i === v;
      for (let j = i + 1; j < n; j++) {
        if (touchI || j === u || j === v) delta[row + j] = this.computeDelta(i, j);
        else if (this.symmetric) delta[row + j] += (xi - x[j]) * (y[j] - yi);
        else delta[row + j] += (xi - x[j]) * (y[j] - yi) + (this.xt[i] - this.xt[j]) * (this.yt[j] - this.yt[i]);
      }
    }
  }

  /**
   * Applies the swap to p and cost and fills the update vectors x, y (and xt, yt when asymmetric); the symmetric
   * x is pre-doubled. The caller must then update the deltas.
   */
  applySwap(u: number, v: number): void {
    const { n, a, b, aT, bT, p, x, y } = this;
    this.cost += this.delta[u < v ? u * n + v : v * n + u];
    const t = p[u];
    p[u] = p[v];
    p[v] = t;
    const au = u * n;
    const av = v * n;
    const bu = p[u] * n;
    const bv = p[v] * n;
    if (this.symmetric) {
      const g = this.g;
      for (let k = 0; k < n; k++) {
        x[k] = 2 * (a[au + k] - a[av + k]);
        y[k] = b[bu + p[k]] - b[bv + p[k]];
      }
      // g[i][l] += (a[i][u] - a[i][v]) * (b[l][p u] - b[l][p v]): only u and v changed location.
      const dl = this.yt;
      for (let l = 0; l < n; l++) dl[l] = b[bu + l] - b[bv + l];
      for (let i = 0; i < n; i++) {
        const c = x[i] * 0.5;
        if (c === 0) continue;
        const gi = i * n;
        for (let l = 0; l < n; l++) g[gi + l] += c * dl[l];
      }
      return;
    }
    const xt = this.xt;
    const yt = this.yt;
    for (let k = 0; k < n; k++) {
      const pk = p[k];
      x[k] = a[au + k] - a[av + k];
      y[k] = b[bu + pk] - b[bv + pk];
      xt[k] = aT[au + k] - aT[av + k];
      yt[k] = bT[bu + pk] - bT[bv + pk];
    }
  }
}

function isSymmetric(m: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (m[i * n + j] !== m[j * n + i]) return false;
  return true;
}

function symmetricPart(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (m[i * n + j] + m[j * n + i]) / 2;
  return out;
}

function transpose(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = m[i * n + j];
  return out;
}
