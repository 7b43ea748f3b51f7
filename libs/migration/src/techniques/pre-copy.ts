import type { PreCopyOptions } from "../spec";
import { maySwitchOver } from "./commit-point";
import { runPreCopyRounds, stopAndCopy } from "./pre-copy-rounds";
import type { MigrationContext, Technique, TechniqueOutcome } from "./technique";

/**
 * Pre-copy (Clark et al., NSDI 2005; QEMU's default):
 * 1. preparation: reserve the target while the guest runs;
 * 2. warm-up rounds: send every page, then again and again the pages dirtied meanwhile, until a stop condition
 *    fires (stop-conditions.ts), optionally with delta compression, a hot-page bitmap and auto-converge;
 * 3. stop-and-copy: pause, send the rest and the device state, resume on the target.
 * The target has every page when the guest resumes, so resume time is zero; the price is pages sent more than
 * once and, when the rounds do not converge, a long stop-and-copy. Cancelling during the rounds leaves the guest
 * running on its source.
 */
export const preCopy: Technique<PreCopyOptions> = {
  name: "pre-copy",
  async run(ctx: MigrationContext, o: PreCopyOptions): Promise<TechniqueOutcome> {
    const { source, transport, clock, recorder } = ctx;
    await transport.reserveTarget(source.pageCount * source.pageSizeBytes);
    recorder.addEntry({ phase: "preparation", startMs: 0, endMs: clock.now(), pagesSent: 0, bytesSent: 0, remainingPages: source.pageCount });
    const rounds = await runPreCopyRounds(ctx, o);
    if (rounds.cancelled || !(await maySwitchOver(ctx))) {
      source.stopDirtyTracking();
      recorder.markDone(clock.now());
      return { outcome: "cancelled", rounds: rounds.rounds, deltaPages: rounds.compressor?.stats.deltaPages ?? 0, demandPages: 0 };
    }
    await stopAndCopy(ctx, rounds, o.batchPages);
    recorder.markDone(clock.now());
    return {
      outcome: "completed",
      stopReason: rounds.stopReason,
      rounds: rounds.rounds,
      deltaPages: rounds.compressor?.stats.deltaPages ?? 0,
      demandPages: 0,
    };
  },
};

