/**
 * A Fenwick (binary indexed) tree of non-negative weights: point updates, prefix sums and "which index holds the
 * u-th unit of weight" in O(log n). The post-copy target uses one over memory regions, weighted by how likely the
 * guest is to touch a missing page there, to draw its next fault.
 */
export class FenwickTree {
  private readonly tree: Float64Array;
  private readonly topBit: number;

  constructor(readonly size: number) {
    this.tree = new Float64Array(size + 1);
    this.topBit = size > 0 ? 2 ** Math.floor(Math.log2(size)) : 0;
  }

  /** Builds the tree from weights in O(n). */
  static from(weights: Float64Array): FenwickTree {
    const f = new FenwickTree(weights.length);
    const t = f.tree;
    for (let i = 1; i <= weights.length; i++) {
      t[i] += weights[i - 1];
      const parent = i + (i & -i);
      if (parent <= weights.length) t[parent] += t[i];
    }
    return f;
  }

  add(index: number, delta: number): void {
    for (let i = index + 1; i <= this.size; i += i & -i) this.tree[i] += delta;
  }

  /** Sum of weights [0, index). */
  prefix(index: number): number {
    let s = 0;
    for (let i = index; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }

  total(): number {
    return this.prefix(this.size);
  }

  /** The index i with prefix(i) <= u < prefix(i + 1); size - 1 if u is at or past the total (rounding). */
  find(u: number): number {
    let pos = 0;
    for (let step = this.topBit; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && this.tree[next] <= u) {
        pos = next;
        u -= this.tree[next];
      }
    }
    return Math.min(pos, this.size - 1);
  }
}
