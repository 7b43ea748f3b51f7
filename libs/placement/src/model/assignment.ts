import type { Cluster } from "./cluster";

/**
 * The changing part of a search: which host each unit is on, resource use per host, the units on each host
 * (intrusive doubly linked lists, O(1) moves), anti-affinity counts, and an optional undo log.
 *
 * `move` never checks feasibility: solvers ask the filters first. That lets a search make a swap as two moves
 * with a transient overload in between.
 */
export class Assignment {
  readonly hostOf: Int32Array;
  /** used[h * R + r]. */
  readonly used: Float64Array;
  readonly unitCountOn: Int32Array;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Members of anti-affinity group g on host h, keyed g * H + h; only groups that have members placed appear. */
  private readonly anti = new Map<number, number>();
  private journal: number[] | undefined;

  constructor(readonly cluster: Cluster) {
    const H = cluster.hostIds.length;
    const U = cluster.unitCount;
    this.hostOf = new Int32Array(U).fill(-1);
    this.used = new Float64Array(H * cluster.resourceCount);
    this.unitCountOn = new Int32Array(H);
    this.head = new Int32Array(H).fill(-1);
    this.next = new Int32Array(U).fill(-1);
    this.prev = new Int32Array(U).fill(-1);
  }

  /** An assignment holding the cluster's current placement (units with no current host stay unplaced). */
  static current(cluster: Cluster): Assignment {
    const a = new Assignment(cluster);
    for (let u = 0; u < cluster.unitCount; u++) if (cluster.unitCurrentHost[u] >= 0) a.move(u, cluster.unitCurrentHost[u]);
    return a;
  }

  clone(): Assignment {
    const a = new Assignment(this.cluster);
    for (let u = 0; u < this.hostOf.length; u++) if (this.hostOf[u] >= 0) a.move(u, this.hostOf[u]);
    return a;
  }

  /** Moves unit u to host h (-1 unplaces it). Records the old host when a journal is open. */
  move(u: number, h: number): void {
    const from = this.hostOf[u];
    if (from === h) return;
    if (this.journal) this.journal.push(u, from);
    const c = this.cluster;
    const R = c.resourceCount;
    if (from >= 0) {
      for (let r = 0; r < R; r++) this.used[from * R + r] -= c.unitDemand[u * R + r];
      this.unitCountOn[from]--;
      const p = this.prev[u];
      const n = this.next[u];
      if (p >= 0) this.next[p] = n;
      else this.head[from] = n;
      if (n >= 0) this.prev[n] = p;
      this.bumpAnti(u, from, -1);
    }
    this.hostOf[u] = h;
    if (h >= 0) {
      for (let r = 0; r < R; r++) this.used[h * R + r] += c.unitDemand[u * R + r];
      this.unitCountOn[h]++;
      const first = this.head[h];
      this.prev[u] = -1;
      this.next[u] = first;
      if (first >= 0) this.prev[first] = u;
      this.head[h] = u;
      this.bumpAnti(u, h, 1);
    }
  }

  private bumpAnti(u: number, h: number, by: number): void {
    const c = this.cluster;
    const H = c.hostIds.length;
    for (let k = c.unitAntiStart[u]; k < c.unitAntiStart[u + 1]; k++) {
      const key = c.unitAnti[k] * H + h;
      const count = (this.anti.get(key) ?? 0) + by;
      if (count === 0) this.anti.delete(key);
      else this.anti.set(key, count);
    }
  }

  /** Members of anti-affinity group g on host h. */
  antiCount(g: number, h: number): number {
    return this.anti.get(g * this.cluster.hostIds.length + h) ?? 0;
  }

  /** First unit on host h, -1 if none; with nextOn, walks a host's units without allocating. */
  firstOn(h: number): number {
    return this.head[h];
  }

  /** The unit after u on u's host, -1 at the end. Moving units invalidates a walk. */
  nextOn(u: number): number {
    return this.next[u];
  }

  /** Starts recording moves; returns the journal position to roll back to. */
  mark(): number {
    if (!this.journal) this.journal = [];
    return this.journal.length;
  }

  /** Undoes every move recorded since `position`. */
  rollback(position: number): void {
    const j = this.journal;
    if (!j) return;
    while (j.length > position) {
      const from = j.pop()!;
      const u = j.pop()!;
      const journal = this.journal;
      this.journal = undefined;
      this.move(u, from);
      this.journal = journal;
    }
  }

  get journaling(): boolean {
    return this.journal !== undefined;
  }

  /** Stops recording and drops the journal. */
  commit(): void {
    this.journal = undefined;
  }

  /** True if unit u fits on host h by resources alone, counting u's own use if it is already there. */
  fitsResources(u: number, h: number): boolean {
    const c = this.cluster;
    const R = c.resourceCount;
    const already = this.hostOf[u] === h;
    for (let r = 0; r < R; r++) {
      const need = already ? 0 : c.unitDemand[u * R + r];
      if (this.used[h * R + r] + need > c.hostCapacity[h * R + r] + 1e-9) return false;
    }
    return true;
  }

  /** vmId -> hostId for every placed VM. */
  toPlacement(): Record<string, string> {
    const c = this.cluster;
    const out: Record<string, string> = {};
    for (let v = 0; v < c.vmIds.length; v++) {
      const h = this.hostOf[c.vmUnit[v]];
      if (h >= 0) out[c.vmIds[v]] = c.hostIds[h];
    }
    return out;
  }
}
