import { PageSet } from "../simulator/page-set";
import type { PostCopyOptions } from "../spec";
import { maySwitchOver } from "./commit-point";
import { runPostCopyPhase } from "./post-copy-phase";
import type { MigrationContext, Technique, TechniqueOutcome } from "./technique";

/**
 * Post-copy (Hines & Gopalan, VEE 2009; QEMU postcopy-ram):
 * 1. preparation: reserve the target while the guest runs;
 * 2. stop the guest and send only the CPU and device state (the downtime);
 * 3. resume on the target at once; pages come by demand paging (a fault is a request to the source: a round
 *    trip plus the page's time on the wire, plus whatever batch is ahead of it), by active push in the
 *    background, and by pre-paging around recent faults.
 * Every page crosses the network exactly once, so pages transferred equals memory. The cost moves into the resume
 * phase: the guest stalls on every network fault. After the switchover the migration cannot be cancelled (the
 * source no longer has a runnable guest), so the signal is only honoured before it.
 */
export const postCopy: Technique<PostCopyOptions> = {
  name: "post-copy",
  async run(ctx: MigrationContext, o: PostCopyOptions): Promise<TechniqueOutcome> {
    const { source, transport, clock, recorder } = ctx;
    await transport.reserveTarget(source.pageCount * source.pageSizeBytes);
    recorder.addEntry({ phase: "preparation", startMs: 0, endMs: clock.now(), pagesSent: 0, bytesSent: 0, remainingPages: source.pageCount });
    if (!(await maySwitchOver(ctx))) {
      recorder.markDone(clock.now());
      return { outcome: "cancelled", rounds: 0, deltaPages: 0, demandPages: 0 };
    }
    source.pause();
    recorder.markPaused(clock.now());
    const startMs = clock.now();
    const state = await transport.sendState(source.deviceStateBytes);
    ctx.target.resume();
    recorder.markResumed(clock.now());
    recorder.addEntry({ phase: "state-transfer", startMs, endMs: clock.now(), pagesSent: 0, bytesSent: state.bytes, remainingPages: source.pageCount });
    const phase = await runPostCopyPhase(ctx, o, PageSet.full(source.pageCount));
    recorder.markDone(clock.now());
    return { outcome: "completed", rounds: 0, deltaPages: 0, demandPages: phase.demandPages };
  },
};
