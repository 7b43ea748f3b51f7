/**
 * A token bucket that caps a migration's send rate (QEMU's max-bandwidth, KubeVirt's bandwidthPerMigration).
 * Tokens are bytes, refilled at the rate up to `burstBytes`. A send waits until the bucket holds its bytes; one
 * larger than the bucket waits for a full bucket and goes into debt, which the next send waits out, so the
 * long-run rate holds whatever the batch size.
 */
export interface TokenBucketOptions {
  /** Bytes per second; null: no cap. */
  readonly bytesPerSec: number | null;
  readonly burstBytes: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class TokenBucket {
  private rate: number | null;
  private tokens: number;
  private lastMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: TokenBucketOptions) {
    this.rate = o.bytesPerSec;
    this.tokens = o.burstBytes;
    this.now = o.now ?? (() => performance.now());
    this.sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.lastMs = this.now();
  }

  static mbps(mbps: number | null, burstBytes = 256 * 1024): TokenBucket {
    return new TokenBucket({ bytesPerSec: mbps === null ? null : (mbps * 1e6) / 8, burstBytes });
  }

  get bytesPerSec(): number | null {
    return this.rate;
  }

  /** A new cap from now on (the scheduler's share changed). */
  setRate(bytesPerSec: number | null): void {
    this.refill();
    this.rate = bytesPerSec;
  }

  /** Resolves when `bytes` may be sent; returns the milliseconds waited. */
  async take(bytes: number): Promise<number> {
    if (this.rate === null) return 0;
    this.refill();
    const need = Math.min(bytes, this.o.burstBytes);
    const waitMs = this.tokens >= need ? 0 : ((need - this.tokens) / this.rate) * 1000;
    if (waitMs > 0) {
      await this.sleep(waitMs);
      this.refill();
    }
    this.tokens -= bytes;
    return waitMs;
  }

  private refill(): void {
    const now = this.now();
    if (this.rate !== null) this.tokens = Math.min(this.o.burstBytes, this.tokens + ((now - this.lastMs) / 1000) * this.rate);
    this.lastMs = now;
  }
}
