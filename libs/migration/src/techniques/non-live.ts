import { PageSet } from "../simulator/page-set";
import type { ResolvedTechnique } from "../spec";
import { maySwitchOver } from "./commit-point";
import { openChannels, sendPageSet, sendSync } from "./send-pages";
import type { MigrationContext, Technique, TechniqueOutcome } from "./technique";
import { wireFormat } from "./wire-format";

type NonLiveOptions = Extract<ResolvedTechnique, { name: "non-live" }>;

/**
 * Non-live (cold) migration: stop the guest, reserve the target, copy every page once, send the device state,
 * resume on the target. The guest is down from the first moment to the last, so downtime equals total time.
 * Cancelling before the state is sent resumes the guest on its source.
 */
export const nonLive: Technique<NonLiveOptions> = {
  name: "non-live",
  async run(ctx: MigrationContext, options: NonLiveOptions): Promise<TechniqueOutcome> {
    const { source, transport, clock, recorder } = ctx;
    source.pause();
    recorder.markPaused(clock.now());
    await transport.reserveTarget(source.pageCount * source.pageSizeBytes);
    recorder.addEntry({ phase: "preparation", startMs: 0, endMs: clock.now(), pagesSent: 0, bytesSent: 0, remainingPages: source.pageCount });
    const startMs = clock.now();
    const wire = wireFormat(source.pageSizeBytes, options);
    await openChannels(ctx, wire);
    const all = PageSet.full(source.pageCount);
    let pagesSent = 0;
    const sent = await sendPageSet(ctx, all, {
      batchPages: options.batchPages,
      wire,
      signal: ctx.signal,
      afterBatch: (_from, _to, pages) => {
        pagesSent += pages;
        const stats = transport.stats();
        const elapsed = clock.now() - startMs;
        const remaining = source.pageCount - pagesSent;
        recorder.progress({
          phase: "copy",
          simTimeMs: clock.now(),
          bytesSent: stats.bytesSent,
          pagesSent: stats.pagesSent,
          pagesRemaining: remaining,
          etaMs: elapsed > 0 ? (remaining * elapsed) / pagesSent : Infinity,
        });
      },
    });
    if (sent.cancelled || !(await maySwitchOver(ctx))) {
      source.resumeHere();
      recorder.markDone(clock.now());
      return { outcome: "cancelled", rounds: 0, deltaPages: 0, demandPages: 0 };
    }
    const syncBytes = await sendSync(ctx, wire);
    const state = await transport.sendState(source.deviceStateBytes);
    ctx.target.resume();
    recorder.markResumed(clock.now());
    recorder.addEntry({ phase: "copy", startMs, endMs: clock.now(), pagesSent: sent.pages, bytesSent: sent.bytes + syncBytes + state.bytes, remainingPages: 0 });
    recorder.markDone(clock.now());
    return { outcome: "completed", rounds: 0, deltaPages: 0, demandPages: 0 };
  },
};
