import type { ClaimedMigration, ProgressReport } from "@ferry/protocol";
import { ExecutionHooks, ExecutionResult, MigrationExecutor, throwIfAborted } from "./executor";

export interface LinkModel {
  bandwidthMbps: number;
  rttMs: number;
  /** Wall-clock milliseconds per simulated millisecond (0: as fast as possible). */
  timeScale: number;
}

const PAGE_BYTES = 4096;
const DOWNTIME_LIMIT_MS = 300;
const MAX_ROUNDS = 30;
const DEVICE_STATE_BYTES = 1 << 20;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * A simple timing model of a migration (memory over bandwidth, pre-copy rounds shrinking by the dirty
 * rate over the bandwidth), waiting in wall-clock time scaled by `timeScale`. A stand-in until the
 * page-accurate engine of libs/migration drives simulated migrations.
 */
export class TimingModelExecutor implements MigrationExecutor {
  constructor(private readonly link: LinkModel) {}

  async run(m: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult> {
    const bytesPerMs = (this.link.bandwidthMbps * 1e6) / 8 / 1000;
    const memBytes = m.vm.memMiB * 1024 * 1024;
    const dirtyBytesPerMs = (m.vm.dirtyRateMiBps * 1024 * 1024) / 1000;
    const rtt = this.link.rttMs;
    let elapsed = 0;
    let sent = 0;
    const step = async (ms: number, report: ProgressReport) => {
      await sleep(ms * this.link.timeScale, hooks.signal);
      throwIfAborted(hooks.signal);
      elapsed += ms;
      await hooks.progress(report);
      throwIfAborted(hooks.signal);
    };

    const preparationMs = rtt;
    await step(preparationMs, { phase: "preparation", progress: 0 });

    let remaining = memBytes;
    let rounds = 0;
    if (m.technique === "pre-copy" || m.technique === "hybrid") {
      const maxRounds = m.technique === "hybrid" ? 1 : MAX_ROUNDS;
      while (rounds < maxRounds) {
        const ms = remaining / bytesPerMs;
        sent += remaining;
        rounds++;
        const dirtied = Math.min(memBytes, dirtyBytesPerMs * ms);
        await step(ms, {
          phase: "pre-copy",
          round: rounds,
          progress: Math.min(0.95, sent / (memBytes + dirtied)),
          bytesSent: Math.round(sent),
          pagesRemaining: Math.ceil(dirtied / PAGE_BYTES),
          etaMs: dirtied / bytesPerMs,
        });
        const converging = dirtied < remaining;
        remaining = dirtied;
        if (remaining / bytesPerMs <= DOWNTIME_LIMIT_MS || !converging) break;
      }
    }
    const postCopy = m.technique === "post-copy" || m.technique === "hybrid";
    const stopBytes = postCopy ? DEVICE_STATE_BYTES : remaining + DEVICE_STATE_BYTES;
    await hooks.beforeSwitchover({ phase: "stop-and-copy", progress: 0.95, bytesSent: Math.round(sent), etaMs: stopBytes / bytesPerMs });
    throwIfAborted(hooks.signal);

    // Past the commit point: the VM is paused, copied and resumed on the target; no more cancelling.
    const downtimeMs = stopBytes / bytesPerMs + rtt;
    await sleep(downtimeMs * this.link.timeScale, new AbortController().signal);
    elapsed += downtimeMs;
    sent += stopBytes;
    let resumeMs = rtt;
    let degradation = 0;
    if (postCopy) {
      // Pages still at the source cross once, faults stall the guest for a round trip each.
      const pushMs = remaining / bytesPerMs;
      await sleep(pushMs * this.link.timeScale, new AbortController().signal);
      resumeMs += pushMs;
      sent += remaining;
      degradation = Math.min(1, (0.1 * pushMs) / Math.max(1, elapsed + pushMs));
    }
    const totalMs = elapsed + resumeMs;
    return {
      metrics: {
        preparationMs,
        downtimeMs,
        resumeMs,
        pagesTransferred: Math.ceil(sent / PAGE_BYTES),
        totalMs,
        degradation,
      },
      bytesTransferred: Math.round(sent),
    };
  }
}
