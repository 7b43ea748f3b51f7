import { PAGE_HEADER_BYTES } from "../spec";
import type { StopReason } from "./technique";

/**
 * When pre-copy stops iterating and does the stop-and-copy. Checked after every round, in this order:
 * 1. downtime-limit: the pages still to send, plus the device state, would go within the downtime limit at the
 *    throughput the round just measured (QEMU: pending bytes < bandwidth x downtime-limit). The one good reason.
 * 2. no-convergence: for noConvergenceRounds rounds in a row, at least as many pages were dirtied as were sent,
 *    so more rounds cannot shrink the rest. With auto-converge this waits until the throttle is at its maximum,
 *    because throttling is what is meant to restore convergence. It comes before the two budgets because when
 *    they fire together (a guest that redirties everything hits 3x memory in round 3) it is the cause.
 * 3. byte-cap: the migration has sent byteCapFactor x memory (Xen: never more than 3x). Like no-convergence it
 *    gives up on convergence, so it too waits while auto-converge can still throttle harder (QEMU, which has
 *    auto-converge, has no byte cap at all).
 * 4. max-rounds: the round count reached maxRounds (Xen: 29 iterations, then the final one).
 */
export interface StopConfig {
  readonly pageSizeBytes: number;
  readonly memoryBytes: number;
  readonly deviceStateBytes: number;
  readonly rttMs: number;
  readonly downtimeLimitMs: number;
  readonly maxRounds: number;
  readonly byteCapFactor: number;
  readonly noConvergenceRounds: number;
}

export interface RoundReport {
  readonly round: number;
  readonly pagesSent: number;
  readonly bytesSent: number;
  readonly durationMs: number;
  /** Pages the dirty log held at the end of the round. */
  readonly dirtyPages: number;
  /** Pages that would go in a stop-and-copy now. */
  readonly remainingPages: number;
  readonly totalBytesSent: number;
  /** Auto-converge is on and can still throttle harder. */
  readonly canThrottleMore: boolean;
}

export class StopConditions {
  private streak = 0;
  private bytesPerMs = 0;

  constructor(private readonly config: StopConfig) {}

  /** Throughput last measured, bytes per ms (0 before any round with traffic). */
  get measuredBytesPerMs(): number {
    return this.bytesPerMs;
  }

  /** Downtime a stop-and-copy of `pages` pages would take at the measured throughput. */
  estimatedDowntimeMs(pages: number): number {
    if (this.bytesPerMs <= 0) return Infinity;
    const c = this.config;
    return (pages * (c.pageSizeBytes + PAGE_HEADER_BYTES) + c.deviceStateBytes) / this.bytesPerMs + c.rttMs / 2;
  }

  afterRound(r: RoundReport): StopReason | undefined {
    const c = this.config;
    if (r.durationMs > 0 && r.bytesSent > 0) this.bytesPerMs = r.bytesSent / r.durationMs;
    this.streak = r.dirtyPages >= r.pagesSent ? this.streak + 1 : 0;
    if (this.estimatedDowntimeMs(r.remainingPages) <= c.downtimeLimitMs) return "downtime-limit";
    if (this.streak >= c.noConvergenceRounds && !r.canThrottleMore) return "no-convergence";
    if (r.totalBytesSent >= c.byteCapFactor * c.memoryBytes && !r.canThrottleMore) return "byte-cap";
    if (r.round >= c.maxRounds) return "max-rounds";
    return undefined;
  }
}
