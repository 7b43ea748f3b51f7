import type { Filter } from "./filters/filter";
import type { Assignment } from "./model/assignment";
import type { Cluster } from "./model/cluster";
import type { Score } from "./scores/score";
import { Objective } from "./solvers/objective";

/**
 * The plugin pipeline of one placement run (the Kubernetes scheduler framework's shape):
 *
 *   filters (hard constraints, in chain order) -> scores (objective terms, weighted) -> solver
 *
 * Solvers ask `admits` (all filters, stopping at the first no) and the objective's deltas. Explanations ask
 * `evaluateHosts`, which runs every filter on every host and records every reason and every per-plugin score, so
 * the API can answer "why not host X?".
 */
export class Framework {
  readonly objective: Objective;

  constructor(
    readonly cluster: Cluster,
    readonly filters: readonly Filter[],
    readonly scores: readonly { readonly score: Score; readonly weight: number }[],
  ) {
    this.objective = new Objective(scores);
  }

  admits(a: Assignment, u: number, h: number): boolean {
    for (let i = 0; i < this.filters.length; i++) if (!this.filters[i].admits(a, u, h)) return false;
    return true;
  }

  /** Every filter that rejects u on h, with its reason (empty when h is feasible). */
  rejections(a: Assignment, u: number, h: number): FilterRejection[] {
    const out: FilterRejection[] = [];
    for (const f of this.filters) if (!f.admits(a, u, h)) out.push({ filter: f.name, reason: f.reason(a, u, h) });
    return out;
  }

  /**
   * Filters and scores unit u against every host. Per plugin, the raw deltas (plugin units) of the feasible hosts
   * are normalised to 0..100 (100 = lowest cost among the feasible hosts; all 100 when they tie), and the host
   * score is the weighted mean of the normalised scores with `weights` (plugins with weight 0 are reported but do
   * not count). The chosen host has the highest score; ties go to the lower weighted raw cost, then host order.
   */
  evaluateHosts(a: Assignment, u: number, weights: Readonly<Record<string, number>>): HostEvaluation {
    const c = this.cluster;
    const H = c.hostIds.length;
    const verdicts: HostVerdict[] = [];
    const feasible: number[] = [];
    for (let h = 0; h < H; h++) {
      const reasons = this.rejections(a, u, h);
      if (reasons.length === 0) feasible.push(h);
      verdicts.push({ hostId: c.hostIds[h], feasible: reasons.length === 0, rejections: reasons, scores: {}, rawCosts: {}, score: 0 });
    }
    const hostsArr = Int32Array.from(feasible);
    const raw = new Float64Array(feasible.length);
    const totalWeight = this.scores.reduce((s, t) => s + Math.max(0, weights[t.score.name] ?? 0), 0);
    const weightedRaw = new Float64Array(feasible.length);
    for (const t of this.scores) {
      const name = t.score.name;
      const w = Math.max(0, weights[name] ?? 0);
      if (t.score.moveDeltas) t.score.moveDeltas(a, u, hostsArr, feasible.length, raw);
      else for (let i = 0; i < feasible.length; i++) raw[i] = t.score.moveDelta(a, u, feasible[i]);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < feasible.length; i++) {
        lo = Math.min(lo, raw[i]);
        hi = Math.max(hi, raw[i]);
      }
      for (let i = 0; i < feasible.length; i++) {
        const v = verdicts[feasible[i]] as MutableVerdict;
        const normalised = hi - lo > 1e-12 * Math.max(1, Math.abs(hi)) ? (100 * (hi - raw[i])) / (hi - lo) : 100;
        v.rawCosts[name] = raw[i];
        v.scores[name] = normalised;
        if (totalWeight > 0) v.score += (w * normalised) / totalWeight;
        weightedRaw[i] += w * raw[i];
      }
    }
    let best = -1;
    for (let i = 0; i < feasible.length; i++) {
      if (best < 0) {
        best = i;
        continue;
      }
      const vi = verdicts[feasible[i]].score;
      const vb = verdicts[feasible[best]].score;
      if (vi > vb + 1e-9 || (Math.abs(vi - vb) <= 1e-9 && weightedRaw[i] < weightedRaw[best] - 1e-9)) best = i;
    }
    return { chosen: best < 0 ? -1 : feasible[best], verdicts };
  }
}

export interface FilterRejection {
  readonly filter: string;
  readonly reason: string;
}

/** One host's outcome for one VM: why it was rejected, or how each score plugin rated it. */
export interface HostVerdict {
  readonly hostId: string;
  readonly feasible: boolean;
  /** Every filter that rejected the host (empty when feasible). */
  readonly rejections: readonly FilterRejection[];
  /** Per plugin, normalised 0..100 (100 best); feasible hosts only. */
  readonly scores: Readonly<Record<string, number>>;
  /** Per plugin, the raw cost change of placing the VM here, in the plugin's unit; feasible hosts only. */
  readonly rawCosts: Readonly<Record<string, number>>;
  /** Weighted mean of `scores` (0..100); 0 for rejected hosts. */
  readonly score: number;
}

type MutableVerdict = { -readonly [K in keyof HostVerdict]: HostVerdict[K] } & {
  scores: Record<string, number>;
  rawCosts: Record<string, number>;
};

export interface HostEvaluation {
  /** Index of the chosen host, -1 when no host passes every filter. */
  readonly chosen: number;
  readonly verdicts: readonly HostVerdict[];
}
