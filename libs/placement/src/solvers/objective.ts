import type { Assignment } from "../model/assignment";
import type { Score } from "../scores/score";

export interface WeightedScore {
  readonly score: Score;
  readonly weight: number;
}

/** sum(weight x score) over the terms with a non-zero weight; deltas are the weighted sums of the plugins' deltas. */
export class Objective {
  readonly terms: readonly WeightedScore[];
  private scratch = new Float64Array(64);

  constructor(terms: readonly WeightedScore[]) {
    this.terms = terms.filter((t) => t.weight !== 0);
  }

  total(a: Assignment): number {
    let sum = 0;
    for (const t of this.terms) sum += t.weight * t.score.total(a);
    return sum;
  }

  moveDelta(a: Assignment, u: number, h: number): number {
    let sum = 0;
    for (const t of this.terms) sum += t.weight * t.score.moveDelta(a, u, h);
    return sum;
  }

  swapDelta(a: Assignment, u: number, w: number): number {
    let sum = 0;
    for (const t of this.terms) sum += t.weight * t.score.swapDelta(a, u, w);
    return sum;
  }

  /** out[i] = moveDelta(a, u, hosts[i]) for i < count. */
  moveDeltas(a: Assignment, u: number, hosts: Int32Array, count: number, out: Float64Array): void {
    out.fill(0, 0, count);
    if (this.scratch.length < count) this.scratch = new Float64Array(count * 2);
    const tmp = this.scratch;
    for (const t of this.terms) {
      if (t.score.moveDeltas) t.score.moveDeltas(a, u, hosts, count, tmp);
      else for (let i = 0; i < count; i++) tmp[i] = t.score.moveDelta(a, u, hosts[i]);
      for (let i = 0; i < count; i++) out[i] += t.weight * tmp[i];
    }
  }
}
