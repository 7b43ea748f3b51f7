/**
 * Integrates the guest's speed over time: 1 is full speed, 0 is stopped (paused, or stalled on a network fault),
 * in between it is slowed (dirty tracking, throttling). Work is counted in milliseconds of full-speed execution,
 * so work lost = elapsed time - work done. Speed changes must come in time order.
 */
export class WorkMeter {
  private lastMs = 0;
  private speed = 1;
  private work = 0;

  set(ms: number, speed: number): void {
    if (ms < this.lastMs - 1e-9) throw new Error(`work meter: time went backwards (${ms} < ${this.lastMs})`);
    if (ms > this.lastMs) {
      this.work += (ms - this.lastMs) * this.speed;
      this.lastMs = ms;
    }
    this.speed = speed;
  }

  /** Full-speed milliseconds of work done from 0 to ms. */
  workUntil(ms: number): number {
    return this.work + Math.max(0, ms - this.lastMs) * this.speed;
  }

  lostUntil(ms: number): number {
    return Math.max(0, ms - this.workUntil(ms));
  }
}
