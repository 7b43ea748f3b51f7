import { MigrationError } from "./errors";
import { predict, type Prediction } from "./predictor/predict";
import { type LinkSpecInput, resolveLink, resolveTechnique, type ResolvedTechnique, type TechniqueSpec, type VmSpec } from "./spec";
import { mbpsToBytesPerMs } from "./transport/link-model";

/**
 * Picks the technique, with its options, that the predictor expects to meet a VM's SLA at the least cost, and
 * says why; or says that none does, and which came closest. Cost is what a migration takes from the cluster, in
 * milliseconds: the time it keeps the link busy (bytes on the wire / bandwidth) plus the guest's work lost
 * (degradation x total time). Pre-copy candidates stop their rounds at the SLA's downtime (times the margin),
 * so the stop condition and the SLA agree.
 */
export interface Sla {
  /** Longest acceptable downtime. */
  readonly maxDowntimeMs: number;
  /** Longest acceptable migration, start to finish. */
  readonly maxTotalMs: number;
  /**
   * Whether post-copy and hybrid may be chosen. After the switchover a failure of either host loses the guest
   * (QEMU postcopy.rst), which is why KubeVirt keeps post-copy off unless allowed. Default true.
   */
  readonly allowPostCopy?: boolean;
}

export interface ChooseOptions {
  /** Predictions must fit within this fraction of the SLA, to absorb the predictor's error (default 0.9). */
  readonly margin?: number;
  /** Techniques to consider (default DEFAULT_CANDIDATES). */
  readonly candidates?: readonly TechniqueSpec[];
  readonly reservationMs?: number;
}

export interface CandidateVerdict {
  readonly label: string;
  readonly technique: ResolvedTechnique;
  readonly prediction: Prediction;
  readonly meetsSla: boolean;
  /** Why it does not meet the SLA (empty when it does). */
  readonly violations: readonly string[];
  readonly costMs: number;
}

export interface TechniqueChoice {
  /** False when no candidate meets the SLA: the controller should refuse (or relax the SLA). */
  readonly ok: boolean;
  readonly technique?: ResolvedTechnique;
  readonly label?: string;
  readonly prediction?: Prediction;
  readonly reason: string;
  /** Every candidate, cheapest first among those that meet the SLA, then the rest by how close they came. */
  readonly candidates: readonly CandidateVerdict[];
}

export const DEFAULT_CANDIDATES: readonly TechniqueSpec[] = [
  { name: "pre-copy" },
  { name: "pre-copy", delta: true },
  { name: "pre-copy", hotBitmap: true },
  { name: "pre-copy", autoConverge: true },
  { name: "pre-copy", delta: true, autoConverge: true },
  { name: "post-copy", prepaging: "bubble" },
  { name: "post-copy", prepaging: "multi-pivot" },
  { name: "hybrid", prepaging: "bubble" },
  { name: "hybrid", delta: true, prepaging: "bubble" },
  { name: "non-live" },
];

export function chooseTechnique(vm: VmSpec, link: LinkSpecInput, sla: Sla, options: ChooseOptions = {}): TechniqueChoice {
  if (!(sla.maxDowntimeMs > 0) || !(sla.maxTotalMs > 0)) {
    throw new MigrationError("InvalidInput", "sla: maxDowntimeMs and maxTotalMs must be > 0", [
      { field: "sla", reason: "maxDowntimeMs and maxTotalMs must be > 0" },
    ]);
  }
  const margin = options.margin ?? 0.9;
  const allowPostCopy = sla.allowPostCopy ?? true;
  const downtimeBudget = sla.maxDowntimeMs * margin;
  const totalBudget = sla.maxTotalMs * margin;
  const bytesPerMs = mbpsToBytesPerMs(resolveLink(link).bandwidthMbps);
  const verdicts: CandidateVerdict[] = [];
  for (const spec of options.candidates ?? DEFAULT_CANDIDATES) {
    const tuned = spec.name === "pre-copy" || spec.name === "hybrid" ? { downtimeLimitMs: downtimeBudget, ...spec } : spec;
    const technique = resolveTechnique(tuned);
    const prediction = predict({ vm, link, technique, reservationMs: options.reservationMs });
    const violations: string[] = [];
    if (!allowPostCopy && (technique.name === "post-copy" || technique.name === "hybrid")) {
      violations.push("post-copy is not allowed for this VM");
    }
    if (prediction.downtimeMs > downtimeBudget) {
      violations.push(`downtime ${ms(prediction.downtimeMs)} > ${ms(downtimeBudget)}`);
    }
    if (prediction.totalMs > totalBudget) violations.push(`total ${ms(prediction.totalMs)} > ${ms(totalBudget)}`);
    verdicts.push({
      label: labelOf(technique),
      technique,
      prediction,
      meetsSla: violations.length === 0,
      violations,
      costMs: prediction.bytesTransferred / bytesPerMs + prediction.lostWorkMs,
    });
  }
  const overshoot = (v: CandidateVerdict) =>
    Math.max(v.prediction.downtimeMs / downtimeBudget, v.prediction.totalMs / totalBudget);
  const meeting = verdicts.filter((v) => v.meetsSla).sort((a, b) => a.costMs - b.costMs);
  const failing = verdicts.filter((v) => !v.meetsSla).sort((a, b) => overshoot(a) - overshoot(b));
  const candidates = [...meeting, ...failing];
  const budgets = `downtime <= ${ms(downtimeBudget)}, total <= ${ms(totalBudget)} (${Math.round(margin * 100)}% of the SLA)`;
  if (meeting.length === 0) {
    const closest = failing.find((v) => !v.violations.includes("post-copy is not allowed for this VM")) ?? failing[0];
    return {
      ok: false,
      reason:
        `no technique meets the SLA (${budgets}); closest: ${closest.label} with ${closest.violations.join(", ")}` +
        (allowPostCopy ? "" : "; post-copy and hybrid were not allowed"),
      candidates,
    };
  }
  const best = meeting[0];
  const p = best.prediction;
  const runnerUp = meeting[1] ? `; next cheapest: ${meeting[1].label} (${ms(meeting[1].costMs)})` : "";
  return {
    ok: true,
    technique: best.technique,
    label: best.label,
    prediction: p,
    reason:
      `${best.label}: predicted downtime ${ms(p.downtimeMs)} and total ${ms(p.totalMs)} meet ${budgets} at the ` +
      `lowest cost, ${ms(best.costMs)} (${ms(p.bytesTransferred / bytesPerMs)} of link time + ${ms(p.lostWorkMs)} of ` +
      `work lost); ${meeting.length} of ${verdicts.length} candidates meet the SLA${runnerUp}`,
    candidates,
  };
}

export function labelOf(t: ResolvedTechnique): string {
  switch (t.name) {
    case "non-live":
      return "non-live";
    case "pre-copy":
      return ["pre-copy", t.delta && "delta", t.hotBitmap && "hot-bitmap", t.autoConverge && "auto-converge"].filter(Boolean).join("+");
    case "post-copy":
      return `post-copy(${t.prepaging})`;
    case "hybrid":
      return `${["hybrid", t.delta && "delta", t.hotBitmap && "hot-bitmap", t.autoConverge && "auto-converge"].filter(Boolean).join("+")}(${t.prepaging})`;
  }
}

function ms(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}
