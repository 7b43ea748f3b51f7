import type { Clock } from "../simulator/clock";
import type { PageSet } from "../simulator/page-set";
import type { ResolvedTechnique, TechniqueName } from "../spec";
import type { Transport } from "../transport/transport";

/**
 * What a technique drives. The technique is the source side's migration thread: it decides what to send and
 * when to stop, pause and switch over; the VMs and the transport do the rest. None of these interfaces says
 * whether time is simulated: the simulator implements them over a discrete-event model, a node agent can
 * implement them over a real VM and a TCP transport.
 */

/** Real page content, for delta compression with the real XBZRLE encoder. */
export interface ByteContent {
  readonly kind: "bytes";
  /** Copies the page's current bytes into out (pageSizeBytes long). */
  readPage(page: number, out: Uint8Array): void;
}

/**
 * Modelled page content: no bytes, only how many writes each page took since it was last sent, from which the
 * size of its XBZRLE delta is drawn (see simulator/modelled-writes.ts).
 */
export interface ModelledContent {
  readonly kind: "modelled";
  /** Starts counting writes per page (costs a little per dirty page, so only delta compression turns it on). */
  enableWriteCounts(): void;
  /** Encoded length of an XBZRLE delta of the page against the version last sent, or -1 if it overflows a page. */
  deltaBytesSinceSent(page: number): number;
  /** The page's current version is on its way to the target. */
  markSent(page: number): void;
}

export type PageContent = ByteContent | ModelledContent;

export interface SourceVm {
  readonly pageCount: number;
  readonly pageSizeBytes: number;
  readonly deviceStateBytes: number;
  readonly content: PageContent;
  /**
   * Pages that are all zero (never written since the migration began), as of the last dirty-log sync; they go as
   * a header only. Absent when the source does not look for zero pages.
   */
  readonly zeroPages?: PageSet;
  /** Starts logging writes (the dirty log starts empty); the VM slows by the tracking overhead from now on. */
  startDirtyTracking(): void;
  /** Stops logging (a cancelled migration): the VM runs at full speed again. */
  stopDirtyTracking(): void;
  /**
   * The pages written since the previous sync (or since tracking started), then clears the log: QEMU's
   * migration_bitmap_sync. The returned set belongs to the VM and is valid until the next call.
   */
  syncDirtyLog(): PageSet;
  /** Slows the guest's vCPUs to (1 - fraction) of their speed (auto-converge); 0 removes the throttle. */
  setThrottle(fraction: number): void;
  /** Stops the guest on the source for the switchover. */
  pause(): void;
  /** Resumes the guest on the source (a cancelled non-live migration). */
  resumeHere(): void;
}

export interface TargetVm {
  /** Starts the guest on the target; in post-copy it runs while pages are still missing and faults on them. */
  resume(): void;
}

export type Phase = "preparation" | "round" | "stop-and-copy" | "copy" | "state-transfer" | "post-copy";

/** One row of the per-round / per-phase timeline. */
export interface TimelineEntry {
  readonly phase: Phase;
  readonly round?: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly pagesSent: number;
  readonly bytesSent: number;
  /** Pages dirtied during this round (pre-copy rounds). */
  readonly dirtyPages?: number;
  /** Pages still to send at the end of the entry. */
  readonly remainingPages: number;
  /** Guest throttle during the round, percent (auto-converge). */
  readonly throttlePct?: number;
  /** Pages held back by the hot-page bitmap after the round. */
  readonly heldPages?: number;
  /** Pages sent as XBZRLE deltas during the entry. */
  readonly deltaPages?: number;
  /** Network faults during the entry (post-copy). */
  readonly networkFaults?: number;
}

/** What the progress observer receives: enough for an agent to report progress and an ETA. */
export interface ProgressEvent {
  readonly phase: Phase;
  readonly round?: number;
  /** Time since the migration started: simulated, or wall time with a real transport. */
  readonly simTimeMs: number;
  readonly bytesSent: number;
  readonly pagesSent: number;
  readonly pagesRemaining: number;
  /** 0..1, never decreasing. */
  readonly progress: number;
  /** Estimated time to completion at the current throughput. */
  readonly etaMs: number;
}

export type ProgressObserver = (event: ProgressEvent) => void;

/** Marks and records a run; metrics.ts turns the marks into the six metrics. */
export interface RunRecorder {
  markPaused(ms: number): void;
  markResumed(ms: number): void;
  markDone(ms: number): void;
  addEntry(entry: TimelineEntry): void;
  progress(event: Omit<ProgressEvent, "progress">): void;
}

export type StopReason = "downtime-limit" | "max-rounds" | "no-convergence" | "byte-cap";

export interface TechniqueOutcome {
  readonly outcome: "completed" | "cancelled";
  /** Why pre-copy rounds ended (pre-copy and hybrid). */
  readonly stopReason?: StopReason;
  /** Live pre-copy rounds run. */
  readonly rounds: number;
  /** Pages sent as XBZRLE deltas. */
  readonly deltaPages: number;
  /** Pages the target asked for (post-copy). */
  readonly demandPages: number;
}

export interface MigrationContext {
  readonly source: SourceVm;
  readonly target: TargetVm;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly recorder: RunRecorder;
  /** Cancels the migration if it is still safe to do so (before the switchover): the VM stays on its source. */
  readonly signal?: AbortSignal;
  /**
   * The commit point: awaited once, right before the switchover begins (before the pause of a live technique,
   * before the device state of a non-live one). The caller asks whoever ordered the migration whether to go on;
   * when `signal` is aborted on return, the technique cancels and the guest stays on its source.
   */
  readonly beforeSwitchover?: () => Promise<void>;
}

export interface Technique<T extends ResolvedTechnique = ResolvedTechnique> {
  readonly name: TechniqueName;
  run(ctx: MigrationContext, options: T): Promise<TechniqueOutcome>;
}
