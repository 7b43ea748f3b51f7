import { AutoConverge } from "../techniques/auto-converge";
import type { RoundsOptions } from "../techniques/pre-copy-rounds";
import { StopConditions } from "../techniques/stop-conditions";
import type { SourceVm, StopReason } from "../techniques/technique";
import { XbzrleSizeModel } from "../techniques/xbzrle-size-model";
import { PAGE_HEADER_BYTES, XBZRLE_EXTRA_BYTES } from "../spec";
import { PageSet } from "../simulator/page-set";
import { type WireFormat, wireFormat } from "../techniques/wire-format";
import { dirtyProbability, type ModelEnvironment } from "./environment";

/**
 * Pre-copy's rounds in expectation. Each round is closed form: it sends V pages in V x (bytes per page) / B,
 * during which a page of access probability p is dirtied with probability q = 1 - exp(-w E p) (E: the round's
 * full-speed exposure), so the next round sends sum(n q) pages. For uniform memory and w E << n that is V' = V x
 * (dirty rate / transfer rate): the geometric series of Clark et al.; with a hot set or Zipf skew the dirty set
 * saturates instead, which is why the recurrence works per locality class. The stop conditions and
 * auto-converge are the techniques' own code, fed with expected values. The hot-page bitmap holds the pages
 * dirtied in two intervals running (n q q'); delta compression sends cache hits at the mean XBZRLE size of a page
 * written k ~ ZTPoisson(w E p) times. Round 1 sends the zero pages as headers (the simulator's sources see a page
 * stop being zero at the first sync after a write, so every page zero at the start goes as a header in round 1),
 * and every later round only pages written since, which are not zero. With multifd the pages go at the rate of
 * the channels together, each page with its share of a packet header, and every round ends with a SYNC packet
 * per channel.
 */
export interface ClassState {
  readonly pageProbability: number;
  readonly pages: number;
  /** Expected pages whose latest version the target lacks. */
  need: number;
  /** Expected pages held back by the hot-page bitmap (or, without it, the working set hybrid would send). */
  held: number;
  /** Dirty probability in the last interval. */
  lastQ: number;
  /** Probability that a page has been sent in a round after the first (so XBZRLE cached it). */
  cached: number;
  /** Mean writes since the page was last sent, for pages about to be re-sent. */
  writes: number;
}

export interface RoundsPrediction {
  readonly rounds: number;
  readonly stopReason: StopReason;
  /** When the rounds end (ms from the start, reservation included). */
  readonly endMs: number;
  readonly pagesSent: number;
  readonly bytesSent: number;
  /** Work lost during the rounds (ms), to tracking contention and throttling. */
  readonly lostWorkMs: number;
  readonly classes: ClassState[];
  readonly measuredBytesPerMs: number;
  readonly stop: StopConditions;
  /** Distinct pages XBZRLE has cached so far. */
  readonly cachedPages: number;
  readonly cacheSlots: number;
  readonly wire: WireFormat;
  /** Rate of the rounds' pages (multifd's channels together, or the main stream). */
  readonly pagesBytesPerMs: number;
}

export function predictRounds(env: ModelEnvironment, o: RoundsOptions): RoundsPrediction {
  const classes: ClassState[] = env.classes.map((c) => ({
    pageProbability: c.pageProbability,
    pages: c.pages,
    need: c.pages,
    held: 0,
    lastQ: 0,
    cached: 0,
    writes: 0,
  }));
  const throttle = { value: 0 };
  const source = throttleOnlySource(env, throttle);
  const autoConverge = o.autoConverge ? new AutoConverge(source, o, 0) : undefined;
  const stop = new StopConditions({
    pageSizeBytes: env.pageSizeBytes,
    memoryBytes: env.pageCount * env.pageSizeBytes,
    deviceStateBytes: env.deviceStateBytes,
    rttMs: env.rttMs,
    downtimeLimitMs: o.downtimeLimitMs,
    maxRounds: o.maxRounds,
    byteCapFactor: o.byteCapFactor,
    noConvergenceRounds: o.noConvergenceRounds,
  });
  const cacheSlots = o.delta ? 2 ** Math.floor(Math.log2(Math.max(1, (o.xbzrleCacheMiB * 1048576) / env.pageSizeBytes))) : 0;
  const sizes = o.delta ? XbzrleSizeModel.for(env.pageSizeBytes, env.writeBytes) : undefined;
  const wire = wireFormat(env.pageSizeBytes, o);
  const rate = env.streamsBytesPerMs(wire.streams);
  let t = env.reservationMs + env.rttMs + wire.setupBytes / rate;
  let pagesSent = 0;
  let bytesSent = wire.setupBytes;
  let lostWorkMs = 0;
  let cachedPages = 0;
  for (let round = 1; ; round++) {
    const occupancy = cacheSlots > 0 && cachedPages > 0 ? (cacheSlots / cachedPages) * -Math.expm1(-cachedPages / cacheSlots) : 1;
    let roundPages = 0;
    let roundBytes = 0;
    const sent: number[] = [];
    for (const c of classes) {
      const n = o.hotBitmap ? c.need - c.held : c.need;
      sent.push(n);
      roundPages += n;
      const perPage =
        sizes && round >= 2 ? deltaWireBytes(env, sizes, c.cached * occupancy, c.writes) : wire.meanPageBytes(round === 1 ? env.zeroPageFraction : 0);
      roundBytes += n * perPage;
    }
    roundBytes += wire.syncBytes;
    const durationMs = roundBytes / rate;
    const speed = (1 - env.contention) * (1 - throttle.value);
    const exposure = durationMs * speed;
    lostWorkMs += durationMs * (1 - speed);
    let dirtyPages = 0;
    let remaining = 0;
    classes.forEach((c, i) => {
      const q = dirtyProbability(env, c.pageProbability, exposure);
      dirtyPages += c.pages * q;
      if (round >= 2 && sizes) {
        const newlyCached = (sent[i] / c.pages) * (1 - c.cached);
        cachedPages += newlyCached * c.pages;
        c.cached += newlyCached;
      }
      const keptHeld = o.hotBitmap ? c.held * (1 - q) : 0;
      // Held pages keep collecting writes; a page dirtied this round took mean w E p / q writes.
      const meanWrites = q > 0 ? (env.writesPerMs * exposure * c.pageProbability) / q : 0;
      c.writes = meanWrites;
      c.need = c.pages * q + keptHeld;
      c.held = c.pages * q * c.lastQ;
      c.lastQ = q;
      remaining += c.need;
    });
    t += durationMs;
    pagesSent += roundPages;
    bytesSent += roundBytes;
    autoConverge?.onSync(t, dirtyPages, bytesSent);
    // The run compares whole pages: a round that dirties all but a hundredth of a page in expectation dirties
    // every page in almost every run (huge pages, where a few hundred pages make the whole VM).
    const stopReason = stop.afterRound({
      round,
      pagesSent: Math.round(roundPages),
      bytesSent: roundBytes,
      durationMs,
      dirtyPages: Math.round(dirtyPages),
      remainingPages: remaining,
      totalBytesSent: bytesSent,
      canThrottleMore: autoConverge !== undefined && !autoConverge.atMax,
    });
    if (stopReason) {
      return {
        rounds: round,
        stopReason,
        endMs: t,
        pagesSent,
        bytesSent,
        lostWorkMs,
        classes,
        measuredBytesPerMs: stop.measuredBytesPerMs,
        stop,
        cachedPages,
        cacheSlots,
        wire,
        pagesBytesPerMs: rate,
      };
    }
  }
}

/** Expected wire bytes of one re-sent page: a cache hit goes as a delta, a miss in full. */
export function deltaWireBytes(env: ModelEnvironment, sizes: XbzrleSizeModel, hitProbability: number, meanWrites: number): number {
  if (hitProbability <= 0 || meanWrites <= 0) return env.pageWireBytes;
  const encoded = meanEncodedBytes(sizes, meanWrites);
  const hit = Math.min(PAGE_HEADER_BYTES + XBZRLE_EXTRA_BYTES + encoded, env.pageWireBytes);
  return hitProbability * hit + (1 - hitProbability) * env.pageWireBytes;
}

/**
 * Mean encoded size for a dirty page whose write count is zero-truncated Poisson with the given mean (the mean of
 * the truncated distribution, lambda / (1 - e^-lambda), is what callers pass; lambda is recovered from it).
 */
function meanEncodedBytes(sizes: XbzrleSizeModel, meanWrites: number): number {
  const lambda = lambdaFromTruncatedMean(meanWrites);
  if (lambda > 200) return sizes.meanEncodedBytes(Math.round(lambda));
  const e = Math.exp(-lambda);
  let pk = e * lambda;
  let total = 0;
  let mass = 0;
  const norm = 1 - e;
  for (let k = 1; k < 1000; k++) {
    const w = pk / norm;
    total += w * sizes.meanEncodedBytes(k);
    mass += w;
    if (mass > 0.9999 && k > lambda) break;
    pk *= lambda / (k + 1);
  }
  return total / mass;
}

function lambdaFromTruncatedMean(mean: number): number {
  if (mean <= 1) return 0;
  // Solve lambda / (1 - e^-lambda) = mean by Newton's method from lambda = mean.
  let l = mean;
  for (let i = 0; i < 30; i++) {
    const e = Math.exp(-l);
    const f = l / (1 - e) - mean;
    const df = (1 - e - l * e) / ((1 - e) * (1 - e));
    const next = l - f / df;
    if (!(next > 0)) return l / 2;
    if (Math.abs(next - l) < 1e-9) return next;
    l = next;
  }
  return l;
}

/** AutoConverge only ever sets the throttle; the predictor reads it back. */
function throttleOnlySource(env: ModelEnvironment, throttle: { value: number }): SourceVm {
  return {
    pageCount: env.pageCount,
    pageSizeBytes: env.pageSizeBytes,
    deviceStateBytes: env.deviceStateBytes,
    content: { kind: "bytes", readPage() {} },
    startDirtyTracking() {},
    stopDirtyTracking() {},
    syncDirtyLog: () => new PageSet(0),
    setThrottle(f) {
      throttle.value = f;
    },
    pause() {},
    resumeHere() {},
  };
}
