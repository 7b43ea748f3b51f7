/**
 * Progress of a migration from the agent's reports: percent of memory sent, ETA, and whether it has stalled.
 * Pure: the controller keeps the reports and asks. Two stalls are told apart, as operators need different
 * remedies: nothing moves at all (agent or network dead: KubeVirt's progressTimeout), or bytes move but the
 * guest dirties memory at least as fast as the link sends it, so pre-copy never finishes (QEMU's
 * non-convergence; the remedy is auto-converge, post-copy or more bandwidth).
 */
export interface ProgressSample {
  readonly atMs: number;
  readonly phase: string;
  /** Bytes sent since the migration started (never decreasing). */
  readonly bytesSent: number;
  /** Bytes the agent still has to send as of this sample (the dirty set in pre-copy). */
  readonly bytesRemaining: number;
  readonly dirtyBytesPerSec: number;
  readonly transferBytesPerSec: number;
}

export interface StallRules {
  /** No new bytes for this long is a stall (KubeVirt progressTimeout: 150 s). */
  readonly noProgressMs: number;
  /** This many samples in a row (one per round) with dirty rate >= transfer rate is a stall (QEMU-like 3). */
  readonly nonConvergingSamples: number;
}

export const DEFAULT_STALL_RULES: StallRules = { noProgressMs: 150_000, nonConvergingSamples: 3 };

export interface ProgressView {
  readonly phase: string;
  /** Share of memory sent, 0..100, never decreasing over the samples. */
  readonly percent: number;
  readonly bytesSent: number;
  readonly bytesRemaining: number;
  readonly dirtyBytesPerSec: number;
  readonly transferBytesPerSec: number;
  /** Remaining bytes over the net rate (transfer - dirty), from the last sample to now; null when not converging. */
  readonly etaMs: number | null;
  readonly stalled: boolean;
  readonly stallReason?: string;
}

export function progressOf(samples: readonly ProgressSample[], nowMs: number, rules: StallRules = DEFAULT_STALL_RULES): ProgressView {
  if (samples.length === 0) throw new RangeError("progressOf needs at least one sample");
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const last = sorted[sorted.length - 1];
  let percent = 0;
  for (const s of sorted) {
    const total = s.bytesSent + s.bytesRemaining;
    percent = Math.max(percent, total > 0 ? (100 * s.bytesSent) / total : 100);
  }
  const net = last.transferBytesPerSec - last.dirtyBytesPerSec;
  const etaMs = last.bytesRemaining === 0 ? 0 : net > 0 ? Math.max(0, (last.bytesRemaining / net) * 1000 - (nowMs - last.atMs)) : null;

  let lastMoveMs = sorted[0].atMs;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].bytesSent > sorted[i - 1].bytesSent) lastMoveMs = sorted[i].atMs;
  let behind = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i].dirtyBytesPerSec >= sorted[i].transferBytesPerSec; i--) behind++;

  let stallReason: string | undefined;
  if (nowMs - lastMoveMs >= rules.noProgressMs) {
    stallReason = `no bytes sent for ${Math.round((nowMs - lastMoveMs) / 1000)} s (limit ${Math.round(rules.noProgressMs / 1000)} s)`;
  } else if (behind >= rules.nonConvergingSamples) {
    stallReason = `dirty rate >= transfer rate for the last ${behind} reports: pre-copy is not converging`;
  }
  return {
    phase: last.phase,
    percent,
    bytesSent: last.bytesSent,
    bytesRemaining: last.bytesRemaining,
    dirtyBytesPerSec: last.dirtyBytesPerSec,
    transferBytesPerSec: last.transferBytesPerSec,
    etaMs,
    stalled: stallReason !== undefined,
    ...(stallReason ? { stallReason } : {}),
  };
}

/** One step of a plan, as plan progress sees it. */
export type PlanStep =
  | { readonly state: "done"; readonly memoryBytes: number }
  | { readonly state: "running"; readonly memoryBytes: number; readonly view: ProgressView }
  | { readonly state: "waiting"; readonly memoryBytes: number; readonly estimatedMs?: number };

export interface PlanProgressView {
  /** Memory-weighted: a done step counts its whole memory, a running one its percent, a waiting one nothing. */
  readonly percent: number;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  /**
   * The longest of the running steps' ETAs plus the waiting steps' estimates (waiting steps run after running
   * ones, sequentially in the worst case); null when a step's ETA or estimate is unknown.
   */
  readonly etaMs: number | null;
  readonly stalledSteps: number;
}

export function planProgressOf(steps: readonly PlanStep[]): PlanProgressView {
  let total = 0;
  let sent = 0;
  let runningEta: number | null = 0;
  let waitingEta: number | null = 0;
  let stalledSteps = 0;
  for (const s of steps) {
    total += s.memoryBytes;
    if (s.state === "done") sent += s.memoryBytes;
    if (s.state === "running") {
      sent += (s.memoryBytes * s.view.percent) / 100;
      runningEta = runningEta === null || s.view.etaMs === null ? null : Math.max(runningEta, s.view.etaMs);
      if (s.view.stalled) stalledSteps++;
    }
    if (s.state === "waiting") waitingEta = waitingEta === null || s.estimatedMs === undefined ? null : waitingEta + s.estimatedMs;
  }
  return {
    percent: total > 0 ? (100 * sent) / total : 100,
    stepsDone: steps.filter((s) => s.state === "done").length,
    stepsTotal: steps.length,
    etaMs: runningEta === null || waitingEta === null ? null : runningEta + waitingEta,
    stalledSteps,
  };
}
