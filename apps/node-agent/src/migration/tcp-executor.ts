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
import { DEFAULT_STALL_TIMEOUT_MS } from "../transfer/stall-guard";
import { TokenBucket } from "../transfer/token-bucket";
import { ExecutionHooks, ExecutionResult, MigrationAborted, MigrationExecutor, VmStaysOnSource } from "./executor";
import { progressReport } from "./progress-report";

/** How long the source waits for the target to take an "abort" before it resumes the VM anyway. */
const ABORT_WAIT_MS = 5000;

export interface TcpExecutorOptions {
  /** Deflate batches on the wire. */
  readonly compress: boolean;
  /** This agent's own cap per migration (Mbit/s), applied when the controller sends no share; null: none. */
  readonly bandwidthMbps: number | null;
  /** How long a data connection may make no progress while this side waits on it (default DEFAULT_STALL_TIMEOUT_MS). */
  readonly stallTimeoutMs?: number;
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
  /** Post-copy: pages the target faulted on and the source sent on demand. */
  readonly demandPages: number;
}

/**
 * Carries out a migration for real: the library's technique drives the guest's image and workload on this node
 * and a TcpTransport to the target agent's data port. After the technique both sides hash the whole image; the
 * target owns the VM only once the controller has recorded the completion (`settle(true)`), after which this node
 * deletes its image. Every failure before that, a digest mismatch included, resumes the guest here and discards
 * the target's copy: the VM stays on its source.
 *
 * Pre-copy and non-live: the guest stays paused through the digests and starts on the target at the commit.
 * Post-copy and hybrid: the guest starts on the target at the switchover while pages are missing. This node's
 * image is then its checkpoint: with the reverse stream (the VM's default) every page the guest writes on the
 * target comes back and is applied here, so if the target dies, or the controller refuses the completion, the
 * guest resumes here at the write count the target had reached. A VM that opted out resumes from the switchover,
 * losing what it wrote on the target.
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
    if (!m.target.dataAddress) throw new Error(`target ${m.target.name} has no data address (is its agent in tcp mode?)`);
    // Post-copy pushes in its own (smaller) batches, so that a fault waits behind little.
    const batching = m.technique === "post-copy" ? {} : { batchPages: TCP_BATCH_PAGES };
    const spec = resolveTechnique({ ...m.techniqueOptions, name: m.technique, ...batching } as TechniqueSpec);
    // Never a fresh guest here: a node that has not started or adopted the VM's guest yet (an agent just
    // restarted, whose verified incoming image waits for its hosted list) would send an empty image and lose the
    // VM's memory. Nothing has moved, so the VM stays where it is.
    const guest = this.guests.get(m.vm.id);
    if (!guest) throw new Error(`VM ${m.vm.name} has no running guest on this node yet: not migrated`);
    const reverseStream = m.vm.postCopyRecovery;
    const t0 = performance.now();
    const clock = { now: () => performance.now() - t0 };
    const capMbps = m.bandwidthMbps ?? this.o.bandwidthMbps;
    const bucket = TokenBucket.mbps(capMbps);
    hooks.onShare((mbps) => bucket.setRate((mbps * 1e6) / 8));
    /** The guest started on the target (post-copy): this node's image is its checkpoint from then on. */
    let startedOnTarget = false;
    let lostAtResume = 0;
    const transport = await TcpTransport.connect(
      {
        address: m.target.dataAddress,
        hello: {
          migrationId: m.id,
          vmId: m.vm.id,
          memMiB: m.vm.memMiB,
          dirtyRateMiBps: m.vm.dirtyRateMiBps,
          pageSizeBytes: guest.image.pageSizeBytes,
          reverseStream,
        },
        secret: m.transferSecret,
        image: guest.image,
        bucket,
        compress: this.o.compress,
        clock,
        state: () => guest.workload.state,
        onReverse: (batch) => {
          if (!startedOnTarget) throw new Error("the target sent writes back before its guest resumed");
          this.guests.applyWrites(m.vm.id, batch);
        },
        stallTimeoutMs: this.o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
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
      target: {
        // Only a guest that lacks pages starts on the target now; a complete image waits for the commit.
        resume: () => {
          if (transport.missingAtTarget() === 0) return;
          startedOnTarget = true;
          lostAtResume = guest.workload.lostWorkMs;
          transport.resumeTarget();
        },
      },
      transport,
      clock,
      recorder,
      signal: hooks.signal,
      beforeSwitchover: () => hooks.beforeSwitchover({ ...(last ? progressReport(last) : { progress: 0 }), phase: "switchover" } satisfies ProgressReport),
    };
    const lostAtStart = guest.workload.lostWorkMs;
    /** The VM goes on here. After a post-copy switchover, once the target has sent its last writes back (or is gone). */
    const resumeHere = async () => {
      if (startedOnTarget) await withDeadline(transport.verdict("abort"), ABORT_WAIT_MS).catch(() => undefined);
      source.resumeHere();
      if (!startedOnTarget) await transport.verdict("abort").catch(() => undefined);
      transport.close();
    };
    const stayHere = async (reason: string, digest?: { source: string; target: string }) => {
      await resumeHere();
      const where = !startedOnTarget
        ? ""
        : reverseStream
          ? `; the guest resumed here at write ${guest.workload.writes}, with what it wrote on the target`
          : "; the guest resumed here from the switchover, without what it wrote on the target (the VM has no reverse stream)";
      return new VmStaysOnSource(reason + where, digest);
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
    let targetLostMs = 0;
    const digestStart = clock.now();
    try {
      if (startedOnTarget) {
        // The target pauses its guest and sends its last writes back before it answers: hash this side after.
        const answer = await transport.targetDigest();
        if (!reverseStream) this.guests.replayWrites(m.vm.id, answer.writes);
        if (answer.writes !== guest.workload.writes) throw new Error(`the target is at write ${answer.writes}, this image at ${guest.workload.writes}`);
        digest = { source: await guest.image.digest(), target: answer.digest };
        targetLostMs = answer.lostWorkMs;
      } else {
        const [sourceDigest, answer] = await Promise.all([guest.image.digest(), transport.targetDigest()]);
        digest = { source: sourceDigest, target: answer.digest };
      }
    } catch (e) {
      throw await stayHere(`comparing image digests failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (digest.source !== digest.target) {
      throw await stayHere(`image digest mismatch after the switchover: source ${digest.source}, target ${digest.target}`, digest);
    }
    // Pre-copy: the digests are part of the pause, the guest resumes on the target only after them.
    if (!startedOnTarget) recorder.markResumed(clock.now());
    recorder.markDone(clock.now());
    const doneAtMs = clock.now();
    const stats = transport.stats();
    const lostHere = (startedOnTarget ? lostAtResume : guest.workload.lostWorkMs) - lostAtStart;
    const metrics = sixMetrics({ pausedAtMs: recorder.pausedAtMs, resumedAtMs: recorder.resumedAtMs, doneAtMs }, stats.pagesSent, lostHere + targetLostMs);
    recorder.finish({ simTimeMs: doneAtMs, bytesSent: stats.bytesSent, pagesSent: stats.pagesSent, round: outcome.rounds || undefined });
    this.o.onTransferred?.({
      timeline: recorder.timeline,
      counts: transport.counts,
      bytesSent: stats.bytesSent,
      rounds: outcome.rounds,
      stopReason: outcome.stopReason,
      digestMs: doneAtMs - digestStart,
      demandPages: outcome.demandPages,
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
          transport.close();
        } else await resumeHere();
      },
    };
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
