import type { PageContent, SourceVm } from "../techniques/technique";
import type { Clock } from "./clock";
import { PageSet } from "./page-set";
import type { WorkMeter } from "./work-meter";
import type { WriteGenerator } from "./write-generator";

export interface SimulatedSourceOptions {
  readonly pageCount: number;
  readonly pageSizeBytes: number;
  readonly deviceStateBytes: number;
  /** Page writes per ms at full speed. */
  readonly writesPerMs: number;
  /** Speed lost while dirty tracking is on. */
  readonly contention: number;
  readonly clock: Clock;
  readonly meter: WorkMeter;
  readonly writes: WriteGenerator;
  /** Pages that are all zero when the migration starts; writes take pages out of it. */
  readonly zeroPages?: PageSet;
}

/**
 * The guest on the source host. Its speed is 1 until dirty tracking starts, (1 - contention) x (1 - throttle)
 * while it is on, and 0 once paused; writes follow the speed. Writes are generated lazily: a sync draws every
 * write since the previous sync from the speed integrated over the interval (its "exposure"), which is exact for
 * a Poisson write stream and costs one pass per round instead of one event per write. For the same reason a
 * zero page stops being zero at the sync after its first write: one first written in the round that sends it
 * still goes as a header, and goes in full in the next round, with the other pages that round dirtied.
 */
export class SimulatedSource implements SourceVm {
  readonly pageCount: number;
  readonly pageSizeBytes: number;
  readonly deviceStateBytes: number;
  readonly content: PageContent;
  readonly zeroPages?: PageSet;
  private readonly log: PageSet;
  private tracking = false;
  private paused = false;
  private throttle = 0;
  private speed = 1;
  private lastMs = 0;
  private exposureMs = 0;

  constructor(private readonly o: SimulatedSourceOptions) {
    this.pageCount = o.pageCount;
    this.pageSizeBytes = o.pageSizeBytes;
    this.deviceStateBytes = o.deviceStateBytes;
    this.content = o.writes.content;
    this.log = new PageSet(o.pageCount);
    this.zeroPages = o.zeroPages;
  }

  startDirtyTracking(): void {
    this.accrue();
    this.tracking = true;
    this.exposureMs = 0;
    this.applySpeed();
  }

  stopDirtyTracking(): void {
    this.accrue();
    this.tracking = false;
    this.throttle = 0;
    this.applySpeed();
  }

  syncDirtyLog(): PageSet {
    this.accrue();
    this.log.clear();
    if (this.tracking && this.exposureMs > 0) this.o.writes.generate(this.o.writesPerMs * this.exposureMs, this.log);
    this.exposureMs = 0;
    this.zeroPages?.subtract(this.log);
    return this.log;
  }

  setThrottle(fraction: number): void {
    this.accrue();
    this.throttle = Math.min(Math.max(fraction, 0), 1);
    this.applySpeed();
  }

  pause(): void {
    this.accrue();
    this.paused = true;
    this.applySpeed();
  }

  resumeHere(): void {
    this.accrue();
    this.paused = false;
    this.tracking = false;
    this.throttle = 0;
    this.applySpeed();
  }

  private accrue(): void {
    const now = this.o.clock.now();
    this.exposureMs += this.speed * (now - this.lastMs);
    this.lastMs = now;
  }

  private applySpeed(): void {
    this.speed = this.paused ? 0 : this.tracking ? (1 - this.o.contention) * (1 - this.throttle) : 1;
    this.o.meter.set(this.lastMs, this.speed);
  }
}
