import type { ProgressEvent } from "@ferry/migration";
import type { ProgressReport } from "@ferry/protocol";

/** A migration library progress event as the agent reports it to the controller. */
export function progressReport(e: ProgressEvent): ProgressReport {
  return {
    phase: e.phase,
    round: e.round,
    progress: e.progress,
    bytesSent: Math.round(e.bytesSent),
    pagesRemaining: e.pagesRemaining,
    etaMs: Number.isFinite(e.etaMs) ? e.etaMs : undefined,
  };
}
