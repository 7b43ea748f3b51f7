import { MetricsRecorder, type MigrationResult, sixMetrics } from "../metrics";
import { type MigrationInput, PAGE_HEADER_BYTES, regionPagesOf, type ResolvedInput, resolveInput, writesPerMs } from "../spec";
import { runTechnique } from "../techniques/registry";
import type { MigrationContext, ProgressObserver } from "../techniques/technique";
import { InMemoryTransport } from "../transport/in-memory";
import { LinkModel } from "../transport/link-model";
import { buildLocality } from "../workload/registry";
import { ByteWrites } from "./byte-writes";
import { createInstantClock, type SimulatedClock } from "./clock";
import { ModelledWrites } from "./modelled-writes";
import { createRng, type Rng } from "@ferry/random";
import { markBernoulli } from "./bernoulli";
import { PageSet } from "./page-set";
import { SimulatedSource } from "./source-vm";
import { SimulatedTarget } from "./target-vm";
import { WorkMeter } from "./work-meter";

export interface RunOptions {
  /** Called at round ends, every batch of a round and about every 1% of post-copy, and once at the end. */
  readonly onProgress?: ProgressObserver;
  /** Cancels the migration while that is still safe (before the switchover); the result says "cancelled". */
  readonly signal?: AbortSignal;
  /** Simulated time; pass createPacedClock({ speedup }) to play the run out against the wall clock. */
  readonly clock?: SimulatedClock;
  /** The link, for callers that change its share during the run (concurrent migrations on one link). */
  readonly link?: LinkModel;
  /** Awaited right before the switchover; abort `signal` in it to cancel at the commit point. */
  readonly beforeSwitchover?: () => Promise<void>;
}

export interface Simulation {
  readonly result: MigrationResult;
  readonly input: ResolvedInput;
  readonly transport: InMemoryTransport;
  readonly target: SimulatedTarget;
  /** Source memory and target memory, with byte content. */
  readonly sourceMemory?: Uint8Array;
  readonly targetMemory?: Uint8Array;
}

/**
 * Runs one migration in the discrete-event simulator and returns its metrics. Deterministic: the same input
 * (seed included) gives the same result, whatever the clock's pacing. The seed feeds independent streams for
 * the memory layout, the source's writes, the target's touches, page content and delta sizes.
 */
export async function runMigration(input: MigrationInput, options: RunOptions = {}): Promise<MigrationResult> {
  return (await simulate(input, options)).result;
}

/** runMigration with the simulator's parts exposed (tests check invariants on them). */
export async function simulate(
  input: MigrationInput,
  options: RunOptions & { readonly countSends?: boolean } = {},
): Promise<Simulation> {
  const r = resolveInput(input);
  const { vm, link: linkSpec, technique, seed } = r;
  const w = vm.workload;
  const pageSizeBytes = vm.pageSizeBytes;
  const pageCount = (vm.memMiB * 1048576) / pageSizeBytes;
  const rng = createRng(seed);
  const locality = buildLocality(w.locality, pageCount, regionPagesOf(vm), rng.fork("layout"));
  const clock = options.clock ?? createInstantClock();
  const link = options.link ?? new LinkModel(linkSpec);
  const meter = new WorkMeter();
  const writes =
    r.content === "bytes"
      ? new ByteWrites(locality, rng.fork("writes"), rng.fork("content"), pageSizeBytes, w.writeBytes)
      : new ModelledWrites(locality, rng.fork("writes"), rng.fork("delta"), pageSizeBytes, w.writeBytes);
  const zero = w.zeroPageFraction > 0 ? zeroPages(pageCount, w.zeroPageFraction, rng.fork("zero")) : undefined;
  // With real bytes, the zero pages hold zeros (the rest of memory starts random).
  if (zero && writes instanceof ByteWrites) zero.forEach((page) => writes.memory.fill(0, page * pageSizeBytes, (page + 1) * pageSizeBytes));
  const deviceStateBytes = Math.round(vm.deviceStateKiB * 1024);
  const source = new SimulatedSource({
    pageCount,
    pageSizeBytes,
    deviceStateBytes,
    writesPerMs: writesPerMs(w.dirtyMiBps),
    contention: w.contention,
    clock,
    meter,
    writes,
    zeroPages: zero,
  });
  const targetMemory = writes instanceof ByteWrites ? new Uint8Array(pageCount * pageSizeBytes) : undefined;
  const target = new SimulatedTarget({
    locality,
    pageSizeBytes,
    touchesPerMs: writesPerMs(readMiBps(w) + w.dirtyMiBps),
    clock,
    meter,
    rng: rng.fork("touches"),
    memory: targetMemory,
  });
  const transport = new InMemoryTransport({
    link,
    clock,
    target,
    pageSizeBytes,
    reservationMs: r.reservationMs,
    readPage: writes instanceof ByteWrites ? writes.content.readPage : undefined,
    countSends: options.countSends,
  });
  const recorder = new MetricsRecorder(pageSizeBytes + PAGE_HEADER_BYTES, options.onProgress);
  const ctx: MigrationContext = {
    source,
    target,
    transport,
    clock,
    recorder,
    signal: options.signal,
    beforeSwitchover: options.beforeSwitchover,
  };
  const outcome = await runTechnique(ctx, technique);
  const doneAtMs = recorder.doneAtMs ?? clock.now();
  target.advance(doneAtMs);
  const stats = transport.stats();
  const lostWorkMs = meter.lostUntil(doneAtMs);
  const metrics = sixMetrics({ pausedAtMs: recorder.pausedAtMs, resumedAtMs: recorder.resumedAtMs, doneAtMs }, stats.pagesSent, lostWorkMs);
  recorder.finish({ simTimeMs: doneAtMs, bytesSent: stats.bytesSent, pagesSent: stats.pagesSent, round: outcome.rounds || undefined });
  const result: MigrationResult = {
    technique: technique.name,
    options: technique,
    seed,
    outcome: outcome.outcome,
    stopReason: outcome.stopReason,
    ...metrics,
    rounds: outcome.rounds,
    bytesTransferred: stats.bytesSent + stats.requestBytes,
    networkFaults: stats.pageRequests,
    lostWorkMs,
    workLost: (lostWorkMs * w.usefulWorkPerSec) / 1000,
    faultStallMs: target.stallMs,
    deltaPages: outcome.deltaPages,
    demandPages: outcome.demandPages,
    memoryPages: pageCount,
    timeline: recorder.timeline,
  };
  return {
    result,
    input: r,
    transport,
    target,
    sourceMemory: writes instanceof ByteWrites ? writes.memory : undefined,
    targetMemory,
  };
}

/** Each page is zero with the given probability, independently of its neighbours and of the locality. */
function zeroPages(pageCount: number, fraction: number, rng: Rng): PageSet {
  const set = new PageSet(pageCount);
  markBernoulli(rng, set.words, 0, pageCount, fraction);
  return set;
}

/** Reads default to twice the write rate. */
export function readMiBps(w: ResolvedInput["vm"]["workload"]): number {
  return w.readMiBps ?? 2 * w.dirtyMiBps;
}
