import { type LinkSpecInput, resolveLink, resolveTechnique, resolveVm, DISCARD_RANGE_BYTES, PAGE_REQUEST_BYTES, type TechniqueSpec, type VmSpec, type ResolvedTechnique } from "../spec";
import type { StopReason } from "../techniques/technique";
import { LinkModel } from "../transport/link-model";
import type { MigrationMetrics } from "../metrics";
import { type ModelEnvironment, modelEnvironment } from "./environment";
import { predictPostCopyPhase, type MissingClass } from "./post-copy-model";
import { deltaWireBytes, predictRounds, type RoundsPrediction } from "./pre-copy-model";
import { XbzrleSizeModel } from "../techniques/xbzrle-size-model";
import { mainStreamFormat, wireFormat } from "../techniques/wire-format";

/**
 * Closed-form estimates of the six metrics (and rounds, bytes, faults) of a migration, without simulating it:
 * microseconds to milliseconds per call, so the controller can price every technique before it queues one.
 * The same definitions as the simulator's (metrics.ts); predictor-vs-simulator error is measured by the bench.
 */
export interface PredictionInput {
  readonly vm: VmSpec;
  readonly link: LinkSpecInput;
  readonly technique: TechniqueSpec;
  /** Target reservation time (default 100 ms, as in a run). */
  readonly reservationMs?: number;
}

export interface Prediction extends MigrationMetrics {
  readonly technique: ResolvedTechnique;
  readonly rounds: number;
  readonly stopReason?: StopReason;
  readonly bytesTransferred: number;
  readonly networkFaults: number;
  readonly lostWorkMs: number;
}

export function predict(input: PredictionInput): Prediction {
  const vm = resolveVm(input.vm);
  const link = new LinkModel(resolveLink(input.link));
  const technique = resolveTechnique(input.technique);
  const env = modelEnvironment(vm, link, input.reservationMs ?? 100);
  switch (technique.name) {
    case "non-live":
      return { technique, ...predictNonLive(env, technique) };
    case "pre-copy":
      return { technique, ...predictPreCopy(env, technique) };
    case "post-copy":
      return { technique, ...predictPostCopy(env, technique) };
    case "hybrid":
      return { technique, ...predictHybrid(env, technique) };
  }
}

type Estimate = Omit<Prediction, "technique">;

function finish(e: {
  preparationMs: number;
  downtimeMs: number;
  resumeMs: number;
  pagesTransferred: number;
  bytesTransferred: number;
  lostWorkMs: number;
  rounds: number;
  stopReason?: StopReason;
  networkFaults: number;
}): Estimate {
  const totalMs = e.preparationMs + e.downtimeMs + e.resumeMs;
  return { ...e, totalMs, degradation: totalMs > 0 ? Math.min(1, e.lostWorkMs / totalMs) : 0 };
}

function predictNonLive(env: ModelEnvironment, o: Extract<ResolvedTechnique, { name: "non-live" }>): Estimate {
  const wire = wireFormat(env.pageSizeBytes, o);
  const pageBytes = wire.setupBytes + env.pageCount * wire.meanPageBytes(env.zeroPageFraction) + wire.syncBytes;
  const bytes = pageBytes + env.deviceStateBytes;
  const downtimeMs =
    env.reservationMs + env.rttMs + pageBytes / env.streamsBytesPerMs(wire.streams) + env.deviceStateBytes / env.bytesPerMs + env.rttMs / 2;
  return finish({
    preparationMs: 0,
    downtimeMs,
    resumeMs: 0,
    pagesTransferred: env.pageCount,
    bytesTransferred: bytes,
    lostWorkMs: downtimeMs,
    rounds: 0,
    networkFaults: 0,
  });
}

function predictPreCopy(env: ModelEnvironment, o: Extract<ResolvedTechnique, { name: "pre-copy" }>): Estimate {
  const rounds = predictRounds(env, o);
  const last = stopAndCopyBytes(env, rounds, o.delta);
  const downtimeMs = last.bytes / rounds.pagesBytesPerMs + env.deviceStateBytes / env.bytesPerMs + env.rttMs / 2;
  return finish({
    preparationMs: rounds.endMs,
    downtimeMs,
    resumeMs: 0,
    pagesTransferred: rounds.pagesSent + last.pages,
    bytesTransferred: rounds.bytesSent + last.bytes + env.deviceStateBytes,
    lostWorkMs: rounds.lostWorkMs + downtimeMs,
    rounds: rounds.rounds,
    stopReason: rounds.stopReason,
    networkFaults: 0,
  });
}

/**
 * The pages left after the rounds, sent with the guest paused (as deltas when cached, with delta compression),
 * and multifd's closing SYNC packets.
 */
function stopAndCopyBytes(env: ModelEnvironment, rounds: RoundsPrediction, delta: boolean): { pages: number; bytes: number } {
  const sizes = delta ? XbzrleSizeModel.for(env.pageSizeBytes, env.writeBytes) : undefined;
  const occupancy =
    rounds.cacheSlots > 0 && rounds.cachedPages > 0
      ? (rounds.cacheSlots / rounds.cachedPages) * -Math.expm1(-rounds.cachedPages / rounds.cacheSlots)
      : 1;
  let pages = 0;
  let bytes = 0;
  for (const c of rounds.classes) {
    pages += c.need;
    bytes += c.need * (sizes ? deltaWireBytes(env, sizes, c.cached * occupancy, c.writes) : rounds.wire.meanPageBytes(0));
  }
  return { pages, bytes: bytes + rounds.wire.syncBytes };
}

function predictPostCopy(env: ModelEnvironment, o: Extract<ResolvedTechnique, { name: "post-copy" }>): Estimate {
  const preparationMs = env.reservationMs + env.rttMs;
  const downtimeMs = env.deviceStateBytes / env.bytesPerMs + env.rttMs / 2;
  const missing: MissingClass[] = env.classes.map((c) => ({ pageProbability: c.pageProbability, pages: c.pages, missing: c.pages }));
  const pageBytes = mainStreamFormat(env.pageSizeBytes).meanPageBytes(env.zeroPageFraction);
  const phase = predictPostCopyPhase(env, missing, o.prepaging, o.pushBatchPages, pageBytes);
  return finish({
    preparationMs,
    downtimeMs,
    resumeMs: phase.resumeMs,
    pagesTransferred: env.pageCount,
    bytesTransferred: env.pageCount * pageBytes + env.deviceStateBytes + phase.faults * PAGE_REQUEST_BYTES,
    lostWorkMs: downtimeMs + phase.stallMs,
    rounds: 0,
    networkFaults: phase.faults,
  });
}

function predictHybrid(env: ModelEnvironment, o: Extract<ResolvedTechnique, { name: "hybrid" }>): Estimate {
  const rounds = predictRounds(env, { ...o, maxRounds: Math.min(o.precopyRounds, o.maxRounds) });
  if (rounds.stopReason === "downtime-limit") return predictPreCopy(env, { ...o, name: "pre-copy", maxRounds: Math.min(o.precopyRounds, o.maxRounds) });
  const needPages = rounds.classes.reduce((s, c) => s + c.need, 0);
  // Discard ranges: a scattered stale set of density q has about need x (1 - q) runs.
  const discardBytes = (needPages * (1 - needPages / env.pageCount) + 1) * DISCARD_RANGE_BYTES;
  const wsPageBytes = rounds.wire.meanPageBytes(0);
  let workingSet = 0;
  if (o.workingSetWithState) {
    const budgetBytes = (o.downtimeLimitMs - env.rttMs / 2) * rounds.measuredBytesPerMs - env.deviceStateBytes - discardBytes;
    const budgetPages = Math.max(0, Math.floor(budgetBytes / wsPageBytes));
    const held = rounds.classes.reduce((s, c) => s + Math.min(c.held, c.need), 0);
    workingSet = Math.min(held, budgetPages);
  }
  const heldTotal = rounds.classes.reduce((s, c) => s + Math.min(c.held, c.need), 0);
  const wsShare = heldTotal > 0 ? workingSet / heldTotal : 0;
  const missing: MissingClass[] = rounds.classes.map((c) => ({
    pageProbability: c.pageProbability,
    pages: c.pages,
    missing: c.need - Math.min(c.held, c.need) * wsShare,
  }));
  const downtimeMs =
    (discardBytes + env.deviceStateBytes) / env.bytesPerMs + (workingSet * wsPageBytes) / rounds.pagesBytesPerMs + env.rttMs / 2;
  // The missing pages were all written since they were last sent: none is zero.
  const phase = predictPostCopyPhase(env, missing, o.prepaging, o.pushBatchPages, env.pageWireBytes);
  const missingPages = needPages - workingSet;
  return finish({
    preparationMs: rounds.endMs,
    downtimeMs,
    resumeMs: phase.resumeMs,
    pagesTransferred: rounds.pagesSent + workingSet + missingPages,
    bytesTransferred:
      rounds.bytesSent +
      discardBytes +
      workingSet * wsPageBytes +
      missingPages * env.pageWireBytes +
      env.deviceStateBytes +
      phase.faults * PAGE_REQUEST_BYTES,
    lostWorkMs: rounds.lostWorkMs + downtimeMs + phase.stallMs,
    rounds: rounds.rounds,
    stopReason: rounds.stopReason,
    networkFaults: phase.faults,
  });
}
