import type { ResolvedTechnique, TechniqueName } from "./spec";
import type {
  Phase,
  ProgressEvent,
  ProgressObserver,
  RunRecorder,
  StopReason,
  TimelineEntry,
} from "./techniques/technique";

/**
 * The six metrics of a migration (Hines & Gopalan's definitions, as the survey behind Ferry uses them). Times are
 * in ms from the moment the migration starts; the guest is paused at P, resumed on the target at R, and the
 * migration is done at D, when the target holds every page and nothing depends on the source.
 * - preparationMs = P: the guest still runs on the source (reservation, and all pre-copy rounds).
 * - downtimeMs = R - P: the guest runs nowhere (stop-and-copy, or the state transfer of post-copy).
 * - resumeMs = D - R: the guest runs on the target while pages still come from the source (post-copy's phase).
 * - pagesTransferred: page transfers, duplicates included (a page sent in three rounds counts three times).
 * - totalMs = D = preparationMs + downtimeMs + resumeMs.
 * - degradation: the fraction of useful work lost over the migration window [0, D] compared with the same
 *   workload without a migration: lostWorkMs / totalMs, in [0, 1]. Work is lost to dirty-tracking contention and
 *   throttling (pre-copy), to the downtime (everyone) and to stalls on network faults (post-copy). Non-live
 *   loses everything, so its degradation is 1.
 */
export interface MigrationMetrics {
  readonly preparationMs: number;
  readonly downtimeMs: number;
  readonly resumeMs: number;
  readonly pagesTransferred: number;
  readonly totalMs: number;
  readonly degradation: number;
}

export interface MigrationResult extends MigrationMetrics {
  readonly technique: TechniqueName;
  /** The technique's options with every default filled in. */
  readonly options: ResolvedTechnique;
  readonly seed: number;
  /** "cancelled": the run was stopped before the switchover and the guest still runs on its source. */
  readonly outcome: "completed" | "cancelled";
  /** Why the pre-copy rounds ended (pre-copy and hybrid). */
  readonly stopReason?: StopReason;
  /** Live pre-copy rounds. */
  readonly rounds: number;
  /** Bytes on the wire, both directions (pages, deltas, discards, state, page requests). */
  readonly bytesTransferred: number;
  /** Post-copy faults that had to fetch their page over the network (each one a request to the source). */
  readonly networkFaults: number;
  /** Work lost, in ms of full-speed execution (degradation x totalMs). */
  readonly lostWorkMs: number;
  /** Work lost in the workload's own unit (lostWorkMs x usefulWorkPerSec / 1000). */
  readonly workLost: number;
  /** Time the guest spent stalled on network faults. */
  readonly faultStallMs: number;
  /** Pages sent as XBZRLE deltas. */
  readonly deltaPages: number;
  /** Pages sent because the target asked for them. */
  readonly demandPages: number;
  readonly memoryPages: number;
  readonly timeline: readonly TimelineEntry[];
}

/** Collects a technique's marks and timeline, and turns its progress reports into monotone progress. */
export class MetricsRecorder implements RunRecorder {
  pausedAtMs?: number;
  resumedAtMs?: number;
  doneAtMs?: number;
  readonly timeline: TimelineEntry[] = [];
  private lastProgress = 0;
  private lastPhase: Phase = "preparation";

  constructor(
    private readonly pageWireBytes: number,
    private readonly observer?: ProgressObserver,
  ) {}

  markPaused(ms: number): void {
    this.pausedAtMs = ms;
  }

  markResumed(ms: number): void {
    this.resumedAtMs = ms;
  }

  markDone(ms: number): void {
    this.doneAtMs = ms;
  }

  addEntry(entry: TimelineEntry): void {
    this.timeline.push(entry);
  }

  progress(event: Omit<ProgressEvent, "progress">): void {
    this.lastPhase = event.phase;
    if (!this.observer) return;
    // Bytes sent against bytes sent plus what is still to send: a new round adds to the rest, so the raw ratio
    // can fall; the reported value never does (a progress bar must not run backwards).
    const rest = event.pagesRemaining * this.pageWireBytes;
    const ratio = event.bytesSent + rest > 0 ? event.bytesSent / (event.bytesSent + rest) : 0;
    this.lastProgress = Math.max(this.lastProgress, Math.min(ratio, 0.999));
    this.observer({ ...event, progress: this.lastProgress });
  }

  /** The closing event: progress 1 at the end of a completed run. */
  finish(event: Omit<ProgressEvent, "progress" | "phase" | "etaMs" | "pagesRemaining">): void {
    this.observer?.({ ...event, phase: this.lastPhase, pagesRemaining: 0, etaMs: 0, progress: 1 });
  }
}

export interface PhaseMarks {
  readonly pausedAtMs?: number;
  readonly resumedAtMs?: number;
  readonly doneAtMs: number;
}

/** The six metrics from the phase marks, the page count and the work lost. */
export function sixMetrics(marks: PhaseMarks, pagesTransferred: number, lostWorkMs: number): MigrationMetrics {
  const done = marks.doneAtMs;
  const paused = marks.pausedAtMs ?? done;
  const resumed = marks.resumedAtMs ?? done;
  return {
    preparationMs: paused,
    downtimeMs: resumed - paused,
    resumeMs: done - resumed,
    pagesTransferred,
    totalMs: done,
    degradation: done > 0 ? Math.min(1, Math.max(0, lostWorkMs / done)) : 0,
  };
}
