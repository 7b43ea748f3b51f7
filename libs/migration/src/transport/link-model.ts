/**
 * The network path between source and target as the simulator sees it: a bandwidth, a round-trip time and the
 * share of the bandwidth this migration gets. The share can follow a schedule given up front and can be changed
 * while a run is going (`setShare`), which is how concurrent migrations on one link are modelled: whoever
 * schedules them lowers each one's share. Transfers are fluid: a transfer started at t ends when the integral
 * of the available rate from t covers its bytes. A transfer spread over several streams (multifd's channels) gets
 * at most `streamMbps` per stream, when that is set: the cost of one sending thread, which a fast link can exceed.
 */
export interface ShareChange {
  /** From this simulated time (ms from the start of the migration) on... */
  readonly atMs: number;
  /** ...the migration gets this fraction of the link, in (0, 1]. */
  readonly share: number;
}

export interface LinkSpec {
  readonly bandwidthMbps: number;
  readonly rttMs: number;
  /** The most one stream carries, when below the link's rate (default: no limit). */
  readonly streamMbps?: number;
  /** Share changes over time; before the first change the share is 1. */
  readonly shareSchedule?: readonly ShareChange[];
}

/** Bytes per millisecond on a link of the given megabits (10^6 bits) per second. */
export function mbpsToBytesPerMs(mbps: number): number {
  return (mbps * 1e6) / 8 / 1000;
}

export class LinkModel {
  readonly bandwidthMbps: number;
  readonly rttMs: number;
  private readonly fullBytesPerMs: number;
  private readonly streamBytesPerMs: number;
  private changes: ShareChange[];
  private cursor = 0;

  constructor(spec: LinkSpec) {
    if (!(spec.bandwidthMbps > 0)) throw new RangeError("bandwidthMbps must be > 0");
    if (!(spec.rttMs >= 0)) throw new RangeError("rttMs must be >= 0");
    this.bandwidthMbps = spec.bandwidthMbps;
    this.rttMs = spec.rttMs;
    this.fullBytesPerMs = mbpsToBytesPerMs(spec.bandwidthMbps);
    if (spec.streamMbps !== undefined && !(spec.streamMbps > 0)) throw new RangeError("streamMbps must be > 0");
    this.streamBytesPerMs = spec.streamMbps === undefined ? Infinity : mbpsToBytesPerMs(spec.streamMbps);
    const schedule = [...(spec.shareSchedule ?? [])].sort((a, b) => a.atMs - b.atMs);
    for (const c of schedule) checkShare(c.share);
    this.changes = [{ atMs: -Infinity, share: 1 }, ...schedule];
  }

  /** Changes the share from `atMs` on, dropping any scheduled change after that time. */
  setShare(share: number, atMs: number): void {
    checkShare(share);
    this.changes = this.changes.filter((c) => c.atMs < atMs);
    this.changes.push({ atMs, share });
    this.cursor = Math.min(this.cursor, this.changes.length - 1);
  }

  shareAt(ms: number): number {
    return this.changes[this.segmentAt(ms)].share;
  }

  /** Bytes per ms a transfer over `streams` streams gets at time `ms`. */
  rateAt(ms: number, streams = 1): number {
    return this.rate(this.segmentAt(ms), streams);
  }

  /** When a transfer of `bytes` over `streams` parallel streams that starts at `startMs` has left the sender. */
  finishTime(startMs: number, bytes: number, streams = 1): number {
    if (bytes <= 0) return startMs;
    let i = this.segmentAt(startMs);
    let t = startMs;
    let left = bytes;
    for (;;) {
      const rate = this.rate(i, streams);
      const segEnd = i + 1 < this.changes.length ? this.changes[i + 1].atMs : Infinity;
      const canSend = (segEnd - t) * rate;
      if (canSend >= left) return t + left / rate;
      left -= canSend;
      t = segEnd;
      i++;
    }
  }

  private rate(segment: number, streams: number): number {
    return Math.min(this.fullBytesPerMs * this.changes[segment].share, streams * this.streamBytesPerMs);
  }

  private segmentAt(ms: number): number {
    const c = this.changes;
    let i = Math.min(this.cursor, c.length - 1);
    while (i > 0 && c[i].atMs > ms) i--;
    while (i + 1 < c.length && c[i + 1].atMs <= ms) i++;
    this.cursor = i;
    return i;
  }
}

function checkShare(share: number): void {
  if (!(share > 0 && share <= 1)) throw new RangeError(`bandwidth share must be in (0, 1], got ${share}`);
}
