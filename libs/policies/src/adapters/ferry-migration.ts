import { chooseTechnique, MigrationError, type Prediction } from "@ferry/migration";
import type { Link, MigratingVm, MigrationCostModel } from "../migration-cost/migration-cost";
import { PoliciesError } from "../model/errors";

/**
 * How a PlanetLab-style VM (memory, CPU utilisation) becomes an input of @ferry/migration's predictor. The
 * traces have CPU only, so the page-write rate is an assumption, not a measurement (see the README).
 */
export interface FerryPredictorOptions {
  /** Share of the target's link a migration gets: CloudSim's rule, half for the migration, half for the VMs. */
  readonly migrationShare: number;
  /**
   * Page-write rate of a VM at 100 % CPU (MiB/s), scaled linearly by its utilisation, used when the snapshot does
   * not carry a measured `dirtyRateMiBps`. The default, 25 MiB/s, keeps a busy VM under half the payload rate of its
   * 500 Mbit/s share (59.6 MiB/s), so pre-copy converges, as the stand-in this replaced assumed.
   */
  readonly dirtyMiBpsAtFullLoad: number;
  /** Where the writes land (the predictor's locality): "uniform" (its default), "hotset:0.1", "zipf:0.99"... */
  readonly locality: string;
  readonly rttMs: number;
  /** The SLA the controller holds a VM without one to: QEMU's downtime limit and KubeVirt's 150 s per GiB. */
  readonly maxDowntimeMs: number;
  readonly maxTotalMsPerGiB: number;
}

export const FERRY_PREDICTOR_DEFAULTS: FerryPredictorOptions = {
  migrationShare: 0.5,
  dirtyMiBpsAtFullLoad: 25,
  locality: "uniform",
  rttMs: 0.5,
  maxDowntimeMs: 300,
  maxTotalMsPerGiB: 150_000,
};

/** Predictions are memoised per distinct input; a live cluster's inputs never repeat, so the memo is bounded. */
const MEMO_LIMIT = 50_000;

/**
 * Migration time from @ferry/migration: the total time (preparation + downtime + resume) of the technique the
 * controller would pick for the VM (`chooseTechnique` with the default SLA and post-copy not allowed, since a VM
 * must opt in to it), or, when none meets that SLA, of the candidate that came closest, as the controller does
 * when an operator accepts the breach. Memory is the VM's configured RAM; the link is the target's, at
 * `migrationShare` of its bandwidth.
 *
 * The predictor prices about ten techniques per call (0.5-3 ms), and strategies ask for migration times in their
 * inner loops (MMT ranks every VM of a host, LR looks ahead over every host), so answers are memoised: PlanetLab
 * utilisations are whole percents, so a day has at most a few hundred distinct inputs.
 */
export function ferryMigrationPredictor(options: Partial<FerryPredictorOptions> = {}): MigrationCostModel {
  const o = { ...FERRY_PREDICTOR_DEFAULTS, ...options };
  if (!(o.migrationShare > 0 && o.migrationShare <= 1)) {
    throw new PoliciesError("InvalidParameter", `migrationShare must be in (0, 1], got ${o.migrationShare}`);
  }
  if (!(o.dirtyMiBpsAtFullLoad >= 0)) {
    throw new PoliciesError("InvalidParameter", `dirtyMiBpsAtFullLoad must be >= 0, got ${o.dirtyMiBpsAtFullLoad}`);
  }
  // bandwidth -> memory -> page-write rate -> ms; numeric keys, since this sits in the simulator's inner loops
  const memo = new Map<number, Map<number, Map<number, number>>>();
  let entries = 0;
  return {
    name: "ferry-predictor",
    migrationTimeMs(vm: MigratingVm, link: Link): number {
      const dirtyMiBps = vm.dirtyRateMiBps ?? o.dirtyMiBpsAtFullLoad * Math.min(1, Math.max(0, vm.utilization));
      const bandwidthMbps = link.bandwidthMbps * o.migrationShare;
      let byMemory = memo.get(bandwidthMbps);
      if (!byMemory) memo.set(bandwidthMbps, (byMemory = new Map()));
      let byRate = byMemory.get(vm.memMiB);
      if (!byRate) byMemory.set(vm.memMiB, (byRate = new Map()));
      const known = byRate.get(dirtyMiBps);
      if (known !== undefined) return known;
      const totalMs = predictedTotalMs(vm.memMiB, dirtyMiBps, bandwidthMbps, o);
      if (entries >= MEMO_LIMIT) {
        memo.clear();
        entries = 0;
        return totalMs;
      }
      byRate.set(dirtyMiBps, totalMs);
      entries++;
      return totalMs;
    },
  };
}

function predictedTotalMs(memMiB: number, dirtyMiBps: number, bandwidthMbps: number, o: FerryPredictorOptions): number {
  let choice: ReturnType<typeof chooseTechnique>;
  try {
    choice = chooseTechnique(
      { memMiB, workload: { dirtyMiBps, locality: o.locality } },
      { bandwidthMbps, rttMs: o.rttMs },
      { maxDowntimeMs: o.maxDowntimeMs, maxTotalMs: (o.maxTotalMsPerGiB * memMiB) / 1024, allowPostCopy: false },
    );
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    const problems = e.problems.map((p) => `${p.field}: ${p.reason}`).join("; ");
    throw new PoliciesError("InvalidSnapshot", `migration predictor rejected ${memMiB} MiB at ${dirtyMiBps} MiB/s over ${bandwidthMbps} Mbit/s: ${problems || e.message}`);
  }
  const prediction: Prediction | undefined =
    choice.prediction ?? choice.candidates.find((c) => c.technique.name !== "post-copy" && c.technique.name !== "hybrid")?.prediction;
  if (!prediction) throw new Error(`@ferry/migration priced no technique for ${memMiB} MiB at ${dirtyMiBps} MiB/s`);
  return prediction.totalMs;
}
