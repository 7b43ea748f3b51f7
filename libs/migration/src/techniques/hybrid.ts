import { PageSet } from "../simulator/page-set";
import type { HybridOptions } from "../spec";
import { maySwitchOver } from "./commit-point";
import { runPostCopyPhase } from "./post-copy-phase";
import { runPreCopyRounds, stopAndCopy } from "./pre-copy-rounds";
import { sendPageSet } from "./send-pages";
import type { MigrationContext, Technique, TechniqueOutcome } from "./technique";

/**
 * Hybrid pre/post-copy (Sahni & Varma, CCEM 2012), in five phases:
 * 1. preparation: reserve the target's resources while the guest runs;
 * 2. a bounded number of pre-copy rounds (precopyRounds, default 2 so that a working set can be seen), with any of pre-copy's improvements; if they already
 *    converge (the rest fits in the downtime limit) the migration finishes as a plain stop-and-copy;
 * 3. state transfer: pause, tell the target which of its pages are stale (discard), send the working set (the
 *    pages dirtied in each of the last two rounds, as many as the downtime limit allows) and the device state;
 * 4. resume on the target;
 * 5. post-copy for the rest: demand paging plus a background push in the pre-paging order.
 * The rounds send most of memory while the guest still runs at full speed on the source, so far fewer pages are
 * missing when the guest resumes than in post-copy, and far fewer rounds are needed than in pre-copy.
 */
export const hybrid: Technique<HybridOptions> = {
  name: "hybrid",
  async run(ctx: MigrationContext, o: HybridOptions): Promise<TechniqueOutcome> {
    const { source, transport, clock, recorder } = ctx;
    await transport.reserveTarget(source.pageCount * source.pageSizeBytes);
    recorder.addEntry({ phase: "preparation", startMs: 0, endMs: clock.now(), pagesSent: 0, bytesSent: 0, remainingPages: source.pageCount });
    const rounds = await runPreCopyRounds(ctx, {
      ...o,
      maxRounds: Math.min(o.precopyRounds, o.maxRounds),
      trackWorkingSet: o.workingSetWithState,
    });
    const deltaPages = () => rounds.compressor?.stats.deltaPages ?? 0;
    if (rounds.cancelled || !(await maySwitchOver(ctx))) {
      source.stopDirtyTracking();
      recorder.markDone(clock.now());
      return { outcome: "cancelled", rounds: rounds.rounds, deltaPages: deltaPages(), demandPages: 0 };
    }
    if (rounds.stopReason === "downtime-limit") {
      await stopAndCopy(ctx, rounds, o.batchPages);
      recorder.markDone(clock.now());
      return { outcome: "completed", stopReason: rounds.stopReason, rounds: rounds.rounds, deltaPages: deltaPages(), demandPages: 0 };
    }

    source.pause();
    recorder.markPaused(clock.now());
    const startMs = clock.now();
    const need = rounds.need;
    need.unionWith(source.syncDirtyLog());
    const discard = await transport.sendDiscard(need);
    let stateBytes = discard.bytes;
    let statePages = 0;
    if (o.workingSetWithState && rounds.hot) {
      const workingSet = pickWorkingSet(ctx, o, need, rounds.hot.held, rounds.stop.measuredBytesPerMs, discard.bytes, rounds.wire.meanPageBytes(0));
      const sent = await sendPageSet(ctx, workingSet, { batchPages: o.batchPages, wire: rounds.wire });
      need.subtract(workingSet);
      stateBytes += sent.bytes;
      statePages = sent.pages;
    }
    const state = await transport.sendState(source.deviceStateBytes);
    ctx.target.resume();
    recorder.markResumed(clock.now());
    recorder.addEntry({
      phase: "state-transfer",
      startMs,
      endMs: clock.now(),
      pagesSent: statePages,
      bytesSent: stateBytes + state.bytes,
      remainingPages: need.count(),
    });
    const phase = await runPostCopyPhase(ctx, o, need);
    recorder.markDone(clock.now());
    return {
      outcome: "completed",
      stopReason: rounds.stopReason,
      rounds: rounds.rounds,
      deltaPages: deltaPages(),
      demandPages: phase.demandPages,
    };
  },
};

/**
 * The stale pages that were dirtied in each of the last two rounds, lowest first, as many as fit in the downtime
 * limit after the discard message, the device state and the one-way latency. With a single round there is no
 * second round to compare with, so the working set is empty.
 */
function pickWorkingSet(
  ctx: MigrationContext,
  o: HybridOptions,
  need: PageSet,
  held: PageSet,
  bytesPerMs: number,
  discardBytes: number,
  pageBytes: number,
): PageSet {
  const { source, transport } = ctx;
  const budgetBytes = (o.downtimeLimitMs - transport.rttMs() / 2) * bytesPerMs - source.deviceStateBytes - discardBytes;
  let budgetPages = Math.floor(budgetBytes / pageBytes);
  const out = new PageSet(source.pageCount);
  if (budgetPages <= 0) return out;
  const words = out.words;
  for (let w = 0; w < words.length && budgetPages > 0; w++) {
    let x = need.words[w] & held.words[w];
    while (x !== 0 && budgetPages > 0) {
      const t = x & -x;
      words[w] |= t;
      x ^= t;
      budgetPages--;
    }
  }
  return out;
}
