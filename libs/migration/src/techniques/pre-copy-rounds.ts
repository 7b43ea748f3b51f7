import { PAGE_HEADER_BYTES } from "../spec";
import { PageSet } from "../simulator/page-set";
import { AutoConverge, type AutoConvergeOptions } from "./auto-converge";
import { createDeltaCompressor, type DeltaCompressor } from "./delta-compression";
import { HotPageBitmap } from "./hot-page-bitmap";
import { openChannels, sendPageSet, sendSync } from "./send-pages";
import { StopConditions } from "./stop-conditions";
import type { MigrationContext, StopReason } from "./technique";
import { type MultifdSpec, type WireFormat, wireFormat } from "./wire-format";

/**
 * The iterative phase shared by pre-copy and hybrid. Round 1 sends every page; each later round sends the pages
 * the dirty log collected during the previous one (less any the hot-page bitmap holds back), with delta
 * compression when it is on; after each round the dirty log is synced, auto-converge looks at the rates, and the
 * stop conditions decide whether to go on. The VM keeps running on the source throughout.
 */
export interface RoundsOptions extends AutoConvergeOptions, MultifdSpec {
  readonly delta: boolean;
  readonly hotBitmap: boolean;
  readonly autoConverge: boolean;
  readonly downtimeLimitMs: number;
  readonly maxRounds: number;
  readonly byteCapFactor: number;
  readonly noConvergenceRounds: number;
  readonly xbzrleCacheMiB: number;
  readonly batchPages: number;
  /** Keep the pages dirtied in both of the last two rounds (hybrid's working set) even without the hot bitmap. */
  readonly trackWorkingSet?: boolean;
}

export interface RoundsResult {
  /** Pages whose latest version the target does not have. */
  readonly need: PageSet;
  readonly rounds: number;
  readonly stopReason?: StopReason;
  readonly cancelled: boolean;
  /** Pages dirtied in both of the last two rounds, when tracked. */
  readonly hot?: HotPageBitmap;
  readonly compressor?: DeltaCompressor;
  /** Dirty-log syncs so far (ages XBZRLE cache entries). */
  readonly generation: number;
  readonly stop: StopConditions;
  /** How the rounds sent their pages (the stop-and-copy and hybrid's working set go the same way). */
  readonly wire: WireFormat;
}

export async function runPreCopyRounds(ctx: MigrationContext, o: RoundsOptions): Promise<RoundsResult> {
  const { source, transport, clock, recorder } = ctx;
  const pageCount = source.pageCount;
  const fullPage = source.pageSizeBytes + PAGE_HEADER_BYTES;
  const need = PageSet.full(pageCount);
  const hot = o.hotBitmap || o.trackWorkingSet ? new HotPageBitmap(pageCount) : undefined;
  const sendable = o.hotBitmap ? new PageSet(pageCount) : undefined;
  const compressor = o.delta
    ? createDeltaCompressor(source.content, {
        cacheBytes: o.xbzrleCacheMiB * 1048576,
        pageSizeBytes: source.pageSizeBytes,
      })
    : undefined;
  const stop = new StopConditions({
    pageSizeBytes: source.pageSizeBytes,
    memoryBytes: pageCount * source.pageSizeBytes,
    deviceStateBytes: source.deviceStateBytes,
    rttMs: transport.rttMs(),
    downtimeLimitMs: o.downtimeLimitMs,
    maxRounds: o.maxRounds,
    byteCapFactor: o.byteCapFactor,
    noConvergenceRounds: o.noConvergenceRounds,
  });
  const wire = wireFormat(source.pageSizeBytes, o);
  await openChannels(ctx, wire);
  source.startDirtyTracking();
  const autoConverge = o.autoConverge ? new AutoConverge(source, o, clock.now()) : undefined;
  // QEMU syncs once at setup, so the first round already runs at generation 1.
  let generation = 1;
  for (let round = 1; ; round++) {
    const startMs = clock.now();
    const toSend = hot && sendable ? (hot.sendable(need, sendable), sendable) : need;
    const startRemaining = need.count();
    let pagesSent = 0;
    const sent = await sendPageSet(ctx, toSend, {
      batchPages: o.batchPages,
      wire,
      signal: ctx.signal,
      delta: compressor && round >= 2 ? { compressor, generation, lastStage: false } : undefined,
      afterBatch: (fromWord, toWord, pages, bytes) => {
        const n = need.words;
        if (toSend === need) n.fill(0, fromWord, toWord);
        else for (let w = fromWord; w < toWord; w++) n[w] &= ~toSend.words[w];
        pagesSent += pages;
        const elapsed = clock.now() - startMs;
        const rate = elapsed > 0 ? bytes / elapsed : stop.measuredBytesPerMs;
        const stats = transport.stats();
        const remaining = startRemaining - pagesSent;
        recorder.progress({
          phase: "round",
          round,
          simTimeMs: clock.now(),
          bytesSent: stats.bytesSent,
          pagesSent: stats.pagesSent,
          pagesRemaining: remaining,
          etaMs: rate > 0 ? (remaining * fullPage + source.deviceStateBytes) / rate : Infinity,
        });
      },
    });
    if (sent.cancelled) return { need, rounds: round, cancelled: true, hot, compressor, generation, stop, wire };
    const syncBytes = await sendSync(ctx, wire);
    const dirty = source.syncDirtyLog();
    generation++;
    const dirtyPages = dirty.count();
    need.unionWith(dirty);
    hot?.update(dirty);
    const totalBytesSent = transport.stats().bytesSent;
    autoConverge?.onSync(clock.now(), dirtyPages, totalBytesSent);
    const remainingPages = need.count();
    recorder.addEntry({
      phase: "round",
      round,
      startMs,
      endMs: clock.now(),
      pagesSent: sent.pages,
      bytesSent: sent.bytes + syncBytes,
      dirtyPages,
      remainingPages,
      throttlePct: autoConverge?.throttlePct,
      heldPages: o.hotBitmap ? hot?.held.count() : undefined,
      deltaPages: compressor ? sent.deltaPages : undefined,
    });
    const stopReason = stop.afterRound({
      round,
      pagesSent: sent.pages,
      bytesSent: sent.bytes,
      durationMs: clock.now() - startMs,
      dirtyPages,
      remainingPages,
      totalBytesSent,
      canThrottleMore: autoConverge !== undefined && !autoConverge.atMax,
    });
    if (stopReason) return { need, rounds: round, stopReason, cancelled: false, hot, compressor, generation, stop, wire };
  }
}

/**
 * Stop-and-copy: pause the guest, take the last dirty pages, send everything still needed and the device state,
 * and resume on the target. Downtime runs from the pause to the resume.
 */
export async function stopAndCopy(ctx: MigrationContext, rounds: RoundsResult, batchPages: number): Promise<number> {
  const { source, transport, clock, recorder } = ctx;
  source.pause();
  recorder.markPaused(clock.now());
  const startMs = clock.now();
  rounds.need.unionWith(source.syncDirtyLog());
  const pages = rounds.need.count();
  const sent = await sendPageSet(ctx, rounds.need, {
    batchPages,
    wire: rounds.wire,
    delta: rounds.compressor ? { compressor: rounds.compressor, generation: rounds.generation + 1, lastStage: true } : undefined,
  });
  const syncBytes = await sendSync(ctx, rounds.wire);
  const state = await transport.sendState(source.deviceStateBytes);
  ctx.target.resume();
  recorder.markResumed(clock.now());
  recorder.addEntry({
    phase: "stop-and-copy",
    startMs,
    endMs: clock.now(),
    pagesSent: pages,
    bytesSent: sent.bytes + syncBytes + state.bytes,
    remainingPages: 0,
    deltaPages: rounds.compressor ? sent.deltaPages : undefined,
  });
  return sent.deltaPages;
}
