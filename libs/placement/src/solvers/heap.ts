/** Binary max-heap of (key, value) pairs with growable typed storage; stale entries are the caller's business. */
export class MaxHeap {
  private keys = new Float64Array(64);
  private values = new Int32Array(64);
  size = 0;

  push(key: number, value: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const v = new Int32Array(this.size * 2);
      v.set(this.values);
      this.values = v;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] >= key) break;
      this.keys[i] = this.keys[p];
      this.values[i] = this.values[p];
      i = p;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  topKey(): number {
    return this.keys[0];
  }

  topValue(): number {
    return this.values[0];
  }

  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const key = this.keys[n];
    const value = this.values[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.keys[c + 1] > this.keys[c]) c++;
      if (this.keys[c] <= key) break;
      this.keys[i] = this.keys[c];
      this.values[i] = this.values[c];
      i = c;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  clear(): void {
    this.size = 0;
  }
}
