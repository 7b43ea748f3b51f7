import {
  MetricsRecorder,
  resolveTechnique,
  runTechnique,
  sixMetrics,
  type MigrationContext,
  type ProgressEvent,
  type TechniqueSpec,
  type TimelineEntry,
} from "@ferry/migration";
import type { ClaimedMigration, ProgressReport } from "@ferry/protocol";
import type { GuestHost } from "../guest/guest-host";
import { FRAME_HEADER_BYTES } from "../transfer/frame";
import { ImageSource } from "../transfer/image-source";
import { TCP_BATCH_PAGES, TcpTransport, type WireCounts } from "../transfer/tcp-transport";
import { TokenBucket } from "../transfer/token-bucket";
import { ExecutionHooks, ExecutionResult, MigrationAborted, MigrationExecutor, VmStaysOnSource } from "./executor";
import { progressReport } from "./progress-report";

/** Techniques whose every step runs over TCP today; post-copy and hybrid need the target to fault pages in. */
const OVER_TCP = new Set(["non-live", "pre-copy"]);

export interface TcpExecutorOptions {
  /** Deflate batches on the wire. */
  readonly compress: boolean;
  /** This agent's own cap per migration (Mbit/s), applied when the controller sends no share; null: none. */
  readonly bandwidthMbps: number | null;
  /** Told how each completed transfer went, before the controller is asked to record it (benchmarks, logs). */
  readonly onTransferred?: (run: TransferRun) => void;
}

/** What a completed transfer did, beyond the six metrics. */
export interface TransferRun {
  readonly timeline: readonly TimelineEntry[];
  readonly counts: WireCounts;
  readonly bytesSent: number;
  readonly rounds: number;
  readonly stopReason?: string;
  /** The part of the downtime spent hashing both images. */
  readonly digestMs: number;
}

/**
 * Carries out a migration for real: the library's technique drives the guest's image and workload on this node
 * and a TcpTransport to the target agent's data port. After the technique's switchover both sides hash the whole
 * image (the guest stays paused); the target runs the VM only once the controller has recorded the completion
 * (`settle(true)`), after which this node deletes its image. Every failure before that, a digest mismatch
 * included, resumes the guest here and discards the target's copy: the VM stays on its source.
 */
export class TcpExecutor implements MigrationExecutor {
  constructor(
    private readonly guests: GuestHost,
    private readonly o: TcpExecutorOptions,
  ) {}

  async run(m: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult> {
    const done = this.guests.beginOutgoing(m.vm.id);
    try {
      const result = await this.transfer(m, hooks);
      return { ...result, settle: (recorded) => result.settle!(recorded).finally(done) };
    } catch (e) {
      done();
      throw e;
    }
  }

  private async transfer(m: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult> {
    if (!OVER_TCP.has(m.technique)) throw new Error(`${m.technique} does not run over TCP yet (only ${[...OVER_TCP].join(", ")})`);
    if (!m.target.dataAddress) throw new Error(`target ${m.target.name} has no data address (is its agent in tcp mode?)`);
    const spec = resolveTechnique({ ...m.techniqueOptions, name: m.technique, batchPages: TCP_BATCH_PAGES } as TechniqueSpec);
    const guest = this.guests.guestFor(m.vm);
    const t0 = performance.now();
    const clock = { now: () => performance.now() - t0 };
    const capMbps = m.bandwidthMbps ?? this.o.bandwidthMbps;
    const transport = await TcpTransport.connect(
      {
        address: m.target.dataAddress,
        hello: { migrationId: m.id, vmId: m.vm.id, memMiB: m.vm.memMiB, dirtyRateMiBps: m.vm.dirtyRateMiBps, pageSizeBytes: guest.image.pageSizeBytes },
        secret: m.transferSecret,
        image: guest.image,
        bucket: TokenBucket.mbps(capMbps),
        compress: this.o.compress,
        clock,
        state: () => guest.workload.state,
      },
      hooks.signal,
    );
    const source = new ImageSource(guest);
    let last: ProgressEvent | undefined;
    const recorder = new MetricsRecorder(guest.image.pageSizeBytes + FRAME_HEADER_BYTES, (e) => {
      last = e;
      void hooks.progress(progressReport(e));
    });
    const ctx: MigrationContext = {
      source,
      target: { resume: () => undefined },
      transport,
      clock,
      recorder,
      signal: hooks.signal,
      beforeSwitchover: () => hooks.beforeSwitchover({ ...(last ? progressReport(last) : { progress: 0 }), phase: "switchover" } satisfies ProgressReport),
    };
    const lostAtStart = guest.workload.lostWorkMs;
    const stayHere = async (reason: string, digest?: { source: string; target: string }) => {
      source.resumeHere();
      await transport.verdict("abort").catch(() => undefined);
      transport.close();
      return new VmStaysOnSource(reason, digest);
    };
    let outcome;
    try {
      outcome = await runTechnique(ctx, spec);
    } catch (e) {
      throw await stayHere(e instanceof Error ? e.message : String(e));
    }
    if (outcome.outcome === "cancelled") {
      await stayHere("cancelled");
      throw new MigrationAborted(String(hooks.signal.reason ?? "cancelled"));
    }
    let digest;
    const digestStart = clock.now();
    try {
      const [sourceDigest, targetDigest] = await Promise.all([guest.image.digest(), transport.targetDigest()]);
      digest = { source: sourceDigest, target: targetDigest };
    } catch (e) {
      throw await stayHere(`comparing image digests failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (digest.source !== digest.target) {
      throw await stayHere(`image digest mismatch after the switchover: source ${digest.source}, target ${digest.target}`, digest);
    }
    // The digests are part of the pause: the guest resumes on the target only after them.
    recorder.markResumed(clock.now());
    recorder.markDone(clock.now());
    const doneAtMs = clock.now();
    const stats = transport.stats();
    const metrics = sixMetrics({ pausedAtMs: recorder.pausedAtMs, resumedAtMs: recorder.resumedAtMs, doneAtMs }, stats.pagesSent, guest.workload.lostWorkMs - lostAtStart);
    recorder.finish({ simTimeMs: doneAtMs, bytesSent: stats.bytesSent, pagesSent: stats.pagesSent, round: outcome.rounds || undefined });
    this.o.onTransferred?.({
      timeline: recorder.timeline,
      counts: transport.counts,
      bytesSent: stats.bytesSent,
      rounds: outcome.rounds,
      stopReason: outcome.stopReason,
      digestMs: doneAtMs - digestStart,
    });
    return {
      metrics,
      bytesTransferred: stats.bytesSent,
      imageDigest: digest,
      settle: async (recorded) => {
        if (recorded) {
          // Without the target's acknowledgement this node keeps its (paused) image: the target's copy may be lost.
          await transport.verdict("commit");
          this.guests.release(m.vm.id);
        } else {
          source.resumeHere();
          await transport.verdict("abort");
        }
        transport.close();
      },
    };
  }
}
