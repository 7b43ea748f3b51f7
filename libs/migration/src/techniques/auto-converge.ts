import type { SourceVm } from "./technique";

/**
 * Improved pre-copy (c): auto-converge, as QEMU's migration_trigger_throttle does it. At a dirty-log sync at
 * least a second after the previous check, the bytes dirtied since that check are compared with the bytes sent:
 * above throttle-trigger-threshold (50%) it is a miss, and every second miss throttles the guest, first to
 * cpu-throttle-initial (20%), then cpu-throttle-increment (10%) more each time, up to max-cpu-throttle (99%).
 * A throttled guest runs (1 - throttle) of the time, so it writes and works that much less.
 */
const CHECK_PERIOD_MS = 1000;

export interface AutoConvergeOptions {
  readonly throttleTriggerPct: number;
  readonly throttleInitialPct: number;
  readonly throttleIncrementPct: number;
  readonly throttleMaxPct: number;
}

export class AutoConverge {
  private throttle = 0;
  private misses = 0;
  private lastCheckMs: number;
  private dirtyBytesInPeriod = 0;
  private bytesSentAtCheck = 0;

  constructor(
    private readonly source: SourceVm,
    private readonly options: AutoConvergeOptions,
    startMs: number,
  ) {
    this.lastCheckMs = startMs;
  }

  get throttlePct(): number {
    return this.throttle;
  }

  get atMax(): boolean {
    return this.throttle >= this.options.throttleMaxPct;
  }

  /** Called at every sync with the pages it found dirty and the bytes sent so far in the migration. */
  onSync(nowMs: number, dirtyPages: number, bytesSentTotal: number): void {
    this.dirtyBytesInPeriod += dirtyPages * this.source.pageSizeBytes;
    if (nowMs <= this.lastCheckMs + CHECK_PERIOD_MS) return;
    const sent = bytesSentTotal - this.bytesSentAtCheck;
    if (this.dirtyBytesInPeriod > (sent * this.options.throttleTriggerPct) / 100 && ++this.misses >= 2) {
      this.misses = 0;
      this.throttle =
        this.throttle === 0
          ? this.options.throttleInitialPct
          : Math.min(this.throttle + this.options.throttleIncrementPct, this.options.throttleMaxPct);
      this.source.setThrottle(this.throttle / 100);
    }
    this.lastCheckMs = nowMs;
    this.dirtyBytesInPeriod = 0;
    this.bytesSentAtCheck = bytesSentTotal;
  }
}
