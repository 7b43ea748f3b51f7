import { progressOf, type ProgressSample, type ProgressView } from "@ferry/scheduler";

/** A progress event as the agent reports it (see MigrationEvent). */
export interface ProgressEvent {
  at: Date;
  phase: string;
  progress: number;
  bytesSent: bigint | null;
  pagesRemaining: bigint | null;
}

const PAGE_BYTES = 4096;

/**
 * A running migration's progress from its latest events: percent of memory sent, the transfer rate (bytes sent
 * per second between reports), the dirty rate (what was sent but did not shrink what remains), the ETA, and
 * whether it stalled (nothing sent for KubeVirt's 150 s, or pre-copy not converging). Null before two reports.
 */
export function liveProgress(events: readonly ProgressEvent[], nowMs: number): ProgressView | null {
  const usable = events.filter((e) => e.bytesSent !== null && e.pagesRemaining !== null);
  if (usable.length < 2) return null;
  const samples: ProgressSample[] = [];
  for (let i = 1; i < usable.length; i++) {
    const a = usable[i - 1]!;
    const b = usable[i]!;
    const dtS = Math.max(1e-3, (b.at.getTime() - a.at.getTime()) / 1000);
    const sent = Number(b.bytesSent! - a.bytesSent!);
    const shrunk = Number(a.pagesRemaining! - b.pagesRemaining!) * PAGE_BYTES;
    samples.push({
      atMs: b.at.getTime(),
      phase: b.phase,
      bytesSent: Number(b.bytesSent),
      bytesRemaining: Number(b.pagesRemaining) * PAGE_BYTES,
      transferBytesPerSec: Math.max(0, sent / dtS),
      dirtyBytesPerSec: Math.max(0, (sent - shrunk) / dtS),
    });
  }
  return progressOf(samples, nowMs);
}
