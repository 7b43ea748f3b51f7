import { chooseTechnique, labelOf, predict, resolveTechnique, type Sla, type VmSpec } from "@ferry/migration";
import type { SharePrediction, WaitingMove } from "./model";

/** QEMU's downtime-limit, for a VM without an SLA (the controller's technique-choice.ts uses the same figure). */
export const DEFAULT_MAX_DOWNTIME_MS = 300;
/** KubeVirt's completionTimeoutPerGiB, for a VM without an SLA (as in the controller's technique-choice.ts). */
export const DEFAULT_TOTAL_MS_PER_GIB = 150_000;

type Priced = Pick<WaitingMove, "memMiB" | "dirtyMiBps" | "technique" | "sla">;

export function defaultSla(move: Pick<WaitingMove, "memMiB">): Sla {
  return { maxDowntimeMs: DEFAULT_MAX_DOWNTIME_MS, maxTotalMs: (DEFAULT_TOTAL_MS_PER_GIB * move.memMiB) / 1024, allowPostCopy: false };
}

/**
 * The move priced at the bandwidth it will actually get: the share is the link rate the predictor sees. With a
 * technique fixed by the controller it is predicted as is; otherwise the chooser picks the cheapest technique
 * that meets the SLA at this share, or the closest one when none does.
 */
export function predictAtShare(move: Priced, shareMbps: number, rttMs: number): SharePrediction {
  const vm: VmSpec = { memMiB: move.memMiB, workload: { dirtyMiBps: move.dirtyMiBps } };
  const link = { bandwidthMbps: shareMbps, rttMs };
  const sla = move.sla ?? defaultSla(move);
  if (move.technique) {
    const technique = resolveTechnique(move.technique);
    const p = predict({ vm, link, technique });
    const slaMet = p.downtimeMs <= sla.maxDowntimeMs && p.totalMs <= sla.maxTotalMs;
    return { technique: labelOf(technique), totalMs: p.totalMs, downtimeMs: p.downtimeMs, bytesTransferred: p.bytesTransferred, slaMet, reason: "technique fixed by the controller" };
  }
  const choice = chooseTechnique(vm, link, sla);
  const verdict = choice.ok ? undefined : choice.candidates.find((c) => sla.allowPostCopy !== false || !isPostCopy(c.technique.name)) ?? choice.candidates[0];
  const p = choice.prediction ?? verdict!.prediction;
  return {
    technique: choice.label ?? verdict!.label,
    totalMs: p.totalMs,
    downtimeMs: p.downtimeMs,
    bytesTransferred: p.bytesTransferred,
    slaMet: choice.ok,
    reason: choice.reason,
  };
}

function isPostCopy(name: string): boolean {
  return name === "post-copy" || name === "hybrid";
}

/**
 * A fast, rough duration for ranking moves (microseconds, unlike the predictor): pre-copy's geometric series
 * M / (R - D) while the dirty rate D stays under 90 % of the rate R, else three times the memory (Xen's byte
 * cap) sent at R.
 */
export function roughDurationMs(move: Pick<WaitingMove, "memMiB" | "dirtyMiBps">, rateMbps: number): number {
  const bytesPerMs = (rateMbps * 1e6) / 8 / 1000;
  const memBytes = move.memMiB * 1048576;
  const dirtyBytesPerMs = (move.dirtyMiBps * 1048576) / 1000;
  const rho = dirtyBytesPerMs / bytesPerMs;
  return rho < 0.9 ? memBytes / (bytesPerMs - dirtyBytesPerMs) : (3 * memBytes) / bytesPerMs;
}

export function mibpsToMbps(mibps: number): number {
  return (mibps * 1048576 * 8) / 1e6;
}
