import type { MigrationCostModel } from "../migration-cost/migration-cost";
import { PoliciesError } from "../model/errors";
import type { Plan } from "../model/plan";
import type { Rng } from "@ferry/random";
import type { ClusterSnapshot, HostSnapshot, VmSnapshot } from "../model/snapshot";
import type { Strategy } from "../strategies/strategy";
import { planetLabVms, SCHEDULING_INTERVAL_S, type HostSpec, type VmSpec } from "./datacenter";
import { initialPlacement, type InitialPlacementRule } from "./initial-placement";
import { MetricsAccumulator, type SimulationMetrics } from "./metrics";
import type { DayTrace } from "./trace";

export interface SimulationInput {
  readonly trace: DayTrace;
  readonly hosts: readonly HostSpec[];
  /** Defaults to CloudSim's four VM types taken in turn. */
  readonly vms?: readonly VmSpec[];
  readonly strategy: Strategy;
  readonly initialPlacement: InitialPlacementRule;
  /** false: the non-power-aware data centre, every host at full power all day (NPA). */
  readonly powerAware: boolean;
  /** How long migrations really take in the simulation. */
  readonly costModel: MigrationCostModel;
  readonly rng: Rng;
  readonly intervalS?: number;
  /**
   * "cloudsim" (default): a VM whose CPU demand is zero at an update stops for good, as CloudSim's
   * PowerDatacenter removes "completed" VMs (HostDynamicWorkload.getCompletedVms: requested MIPS == 0).
   * With updates 0.1 s after each sample, that is the first sample k >= 1 with u[k] = u[k+1] = 0.
   * "whole-day": every VM runs all day, idle or not.
   */
  readonly vmLifetime?: VmLifetime;
  /**
   * Which part of the trace the metrics cover. "cloudsim" (default): CloudSim's window, from the first
   * update (one interval in; from t = 0 for the non-power-aware data centre) to the last sample, plus the
   * migrations that last update starts. "whole-trace": every second from t = 0 to the end.
   */
  readonly accounting?: AccountingWindow;
  /** Called with every plan, e.g. to log or check it. */
  readonly onPlan?: (plan: Plan) => void;
}

export type VmLifetime = "cloudsim" | "whole-day";
export type AccountingWindow = "cloudsim" | "whole-trace";

export interface SimulationResult extends SimulationMetrics {
  readonly vms: number;
  readonly hosts: number;
  /** VMs no host could take at the start (CloudSim does not run them either). */
  readonly unplacedVms: number;
  /** VMs stopped during the day because their demand dropped to zero (vmLifetime "cloudsim"). */
  readonly retiredVms: number;
  readonly simulatedS: number;
}

/** Share of a migrating VM's CPU lost on the source, and share of it the target already carries (CloudSim). */
const MIGRATION_DEGRADATION = 0.1;
const EPSILON_S = 1e-9;

/**
 * Replays one trace day in simulated time. The clock is the trace itself: sample k is the demand at
 * t = k x interval, demand is linear between samples (CloudSim's UtilizationModelPlanetLabInMemory, which
 * repeats the last sample once more at the end), so a day of 288 samples lasts 24 h.
 *
 * At t = 0 VMs are placed by `initialPlacement`. At every later sample the strategy gets a snapshot and
 * returns a plan; its moves start at once and each VM moves when its migration time has elapsed. Between
 * sample times and migration ends the data centre is evaluated as CloudSim's VmSchedulerTimeShared-
 * OverSubscription and HostDynamicWorkload do: each vCPU gets at most one core, an oversubscribed host
 * scales every VM down in proportion, a migrating VM gets 90 % on its source and the target already
 * carries 10 % of it. Metrics are integrated over these sub-intervals (see metrics.ts).
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { trace, hosts, strategy, costModel, rng } = input;
  const intervalS = input.intervalS ?? SCHEDULING_INTERVAL_S;
  const V = trace.vmNames.length;
  const S = trace.samplesPerVm;
  const H = hosts.length;
  const vms = input.vms ?? planetLabVms(V);
  if (vms.length !== V) throw new PoliciesError("InvalidParameter", `${vms.length} VM specs for ${V} traces`);
  const util = trace.utilization;

  const capacity = Float64Array.from(hosts, (h) => h.cores * h.mipsPerCore);
  const pe = Float64Array.from(hosts, (h) => h.mipsPerCore);
  const hostIds = hosts.map((_, i) => `host-${i}`);
  const hostIndex = new Map(hostIds.map((id, i) => [id, i]));
  const vmIds = trace.vmNames;
  const vmIndex = new Map(vmIds.map((id, i) => [id, i]));
  const mips = Float64Array.from(vms, (v) => v.mips);
  const vcpus = Float64Array.from(vms, (v) => v.vcpus);

  const vmHost = initialPlacement(input.initialPlacement, hosts, vms);
  const hostVms: number[][] = Array.from({ length: H }, () => []);
  let unplaced = 0;
  for (let v = 0; v < V; v++) {
    if (vmHost[v]! < 0) unplaced++;
    else hostVms[vmHost[v]!]!.push(v);
  }
  const migrationTarget = new Int32Array(V).fill(-1);
  const migrationEndS = new Float64Array(V);
  const lastMigratedAtS = new Float64Array(V).fill(Number.NaN);
  const inFlight: number[] = [];
  /** Targets of a VM's first migration when the same plan moved it again (see apply). */
  let passing: { readonly vm: number; readonly host: number; readonly endS: number }[] = [];

  const metrics = new MetricsAccumulator();
  const hostEffective = new Float64Array(H);
  const hostRequested = new Float64Array(H);
  const allocated = new Float64Array(H);
  const powerStart = new Float64Array(H);
  const powerEnd = new Float64Array(H);
  const active = new Uint8Array(H);
  const violated = new Uint8Array(H);
  const maxPowerW = hosts.reduce((sum, h) => sum + h.powerModel.maxW, 0);

  const demand = (v: number, k: number, frac: number): number => {
    const row = v * S;
    const u0 = util[row + k]!;
    const u1 = util[row + Math.min(k + 1, S - 1)]!;
    return mips[v]! * (u0 + (u1 - u0) * frac);
  };
  const capped = (v: number, d: number, h: number): number => Math.min(d / vcpus[v]!, pe[h]!) * vcpus[v]!;

  /** Host CPU at a time: fills allocated[], and returns [requested, under-allocated-while-migrating] of VMs. */
  const evaluate = (k: number, frac: number): [number, number] => {
    hostEffective.fill(0);
    hostRequested.fill(0);
    let requestedTotal = 0;
    for (let v = 0; v < V; v++) {
      const h = vmHost[v]!;
      if (h < 0) continue;
      const d = demand(v, k, frac);
      requestedTotal += d;
      hostRequested[h] = hostRequested[h]! + d;
      hostEffective[h] = hostEffective[h]! + capped(v, d, h);
      const g = migrationTarget[v]!;
      if (g >= 0) {
        hostRequested[g] = hostRequested[g]! + d;
        hostEffective[g] = hostEffective[g]! + MIGRATION_DEGRADATION * capped(v, d, g);
      }
    }
    for (const p of passing) {
      const d = demand(p.vm, k, frac);
      hostRequested[p.host] = hostRequested[p.host]! + d;
      hostEffective[p.host] = hostEffective[p.host]! + MIGRATION_DEGRADATION * capped(p.vm, d, p.host);
    }
    for (let h = 0; h < H; h++) allocated[h] = Math.min(hostEffective[h]!, capacity[h]!);
    let underMigrating = 0;
    for (const v of inFlight) {
      const h = vmHost[v]!;
      const d = demand(v, k, frac);
      const scale = hostEffective[h]! > capacity[h]! ? capacity[h]! / hostEffective[h]! : 1;
      underMigrating += d - (1 - MIGRATION_DEGRADATION) * capped(v, d, h) * scale;
    }
    return [requestedTotal, underMigrating];
  };
  const power = (h: number): number => hosts[h]!.powerModel.powerW(Math.min(1, allocated[h]! / capacity[h]!));

  const retireOnIdle = (input.vmLifetime ?? "cloudsim") === "cloudsim";
  let retired = 0;
  const idleForGood = (v: number, k: number): boolean =>
    util[v * S + k] === 0 && util[v * S + Math.min(k + 1, S - 1)] === 0;
  const retire = (v: number): void => {
    const list = hostVms[vmHost[v]!]!;
    list.splice(list.indexOf(v), 1);
    vmHost[v] = -1;
    retired++;
  };
  const retireIdleVms = (k: number): void => {
    if (!retireOnIdle) return;
    for (let v = 0; v < V; v++) {
      if (vmHost[v]! >= 0 && migrationTarget[v]! < 0 && idleForGood(v, k)) retire(v);
    }
  };

  const completeMigrations = (timeS: number, k: number): void => {
    if (passing.length > 0) passing = passing.filter((p) => p.endS > timeS + EPSILON_S);
    for (let i = 0; i < inFlight.length; ) {
      const v = inFlight[i]!;
      if (migrationEndS[v]! > timeS + EPSILON_S) {
        i++;
        continue;
      }
      const from = vmHost[v]!;
      const list = hostVms[from]!;
      list.splice(list.indexOf(v), 1);
      const to = migrationTarget[v]!;
      hostVms[to]!.push(v);
      vmHost[v] = to;
      migrationTarget[v] = -1;
      lastMigratedAtS[v] = timeS;
      inFlight.splice(i, 1);
      if (retireOnIdle && k > 0 && idleForGood(v, k)) retire(v);
    }
  };

  const snapshot = (k: number): ClusterSnapshot => {
    const hostSnapshots: HostSnapshot[] = hosts.map((h, i) => ({
      id: hostIds[i]!,
      cores: h.cores,
      mipsPerCore: h.mipsPerCore,
      memMiB: h.memMiB,
      bandwidthMbps: h.bandwidthMbps,
      powerModel: h.powerModel,
      poweredOn: hostVms[i]!.length > 0,
    }));
    const vmSnapshots: VmSnapshot[] = [];
    for (let h = 0; h < H; h++) {
      for (const v of hostVms[h]!) {
        const row = v * S;
        vmSnapshots.push({
          id: vmIds[v]!,
          hostId: hostIds[h]!,
          vcpus: vcpus[v]!,
          mips: mips[v]!,
          memMiB: vms[v]!.memMiB,
          // CloudSim's PlanetLab cloudlets request no memory or bandwidth once the VM runs.
          memDemandMiB: 0,
          bandwidthDemandMbps: 0,
          utilizationHistory: util.subarray(row, row + k + 1),
          migrating: migrationTarget[v]! >= 0,
          ...(Number.isNaN(lastMigratedAtS[v]!) ? {} : { lastMigratedAtS: lastMigratedAtS[v]! }),
        });
      }
    }
    return { timeS: k * intervalS, intervalS, hosts: hostSnapshots, vms: vmSnapshots };
  };

  const apply = (plan: Plan, k: number): void => {
    const nowS = k * intervalS;
    const movedNow = new Set<number>();
    for (const move of plan.moves) {
      const v = vmIndex.get(move.vmId);
      const from = hostIndex.get(move.fromHostId);
      const to = hostIndex.get(move.toHostId);
      if (v === undefined || from === undefined || to === undefined || to === from) {
        throw new PoliciesError("InvalidPlan", `${plan.strategy}: bad move ${JSON.stringify(move)}`);
      }
      if (vmHost[v] !== from || (migrationTarget[v]! >= 0 && !movedNow.has(v))) {
        throw new PoliciesError("InvalidPlan", `${plan.strategy}: vm ${move.vmId} is not movable from ${move.fromHostId}`);
      }
      // A second move of a VM in one plan (CloudSim's quirk): both migrations run from its host, the
      // first target carries its share until that migration ends, the VM ends on the later target.
      const again = movedNow.has(v);
      if (again) passing.push({ vm: v, host: migrationTarget[v]!, endS: migrationEndS[v]! });
      movedNow.add(v);
      const durationMs = costModel.migrationTimeMs(
        { memMiB: vms[v]!.memMiB, utilization: util[v * S + k]! },
        { bandwidthMbps: hosts[to]!.bandwidthMbps },
      );
      migrationTarget[v] = to;
      migrationEndS[v] = nowS + durationMs / 1000;
      if (!again) inFlight.push(v);
      metrics.migrations++;
    }
  };

  /**
   * CloudSim's accounting window. Its first update comes one interval after the cloudlets start and,
   * finding every host's previous utilisation at 0, charges nothing before it (the non-power-aware data
   * centre charges from t = 0); its last update is at the last sample, and after it only the migrations
   * that update starts are processed (each completion is an update), up to the end of the last of them.
   */
  const wholeTrace = input.accounting === "whole-trace";
  const accounted = (k: number, endsAtMigration: boolean): boolean =>
    wholeTrace || ((k >= 1 || !input.powerAware) && (k < S - 1 || endsAtMigration));

  for (let k = 0; k < S; k++) {
    const startS = k * intervalS;
    const endS = startS + intervalS;
    completeMigrations(startS, k);
    if (k > 0) {
      retireIdleVms(k);
      const plan = strategy.plan(snapshot(k), rng);
      input.onPlan?.(plan);
      apply(plan, k);
    }
    const ends = [...inFlight.map((v) => migrationEndS[v]!), ...passing.map((p) => p.endS)];
    const boundaries = [...new Set(ends.filter((t) => t > startS && t < endS))];
    boundaries.sort((a, b) => a - b);
    boundaries.push(endS);

    let fromS = startS;
    let [requested, underMigrating] = evaluate(k, 0);
    for (const toS of boundaries) {
      const dt = toS - fromS;
      if (!accounted(k, toS < endS)) {
        if (toS < endS) {
          completeMigrations(toS, k);
          [requested, underMigrating] = evaluate(k, (toS - startS) / intervalS);
        }
        fromS = toS;
        continue;
      }
      for (let h = 0; h < H; h++) {
        active[h] = allocated[h]! > 0 ? 1 : 0;
        violated[h] = allocated[h]! < hostRequested[h]! ? 1 : 0;
        powerStart[h] = active[h] ? power(h) : 0;
      }
      evaluate(k, (toS - startS) / intervalS);
      for (let h = 0; h < H; h++) {
        if (!active[h]) continue;
        powerEnd[h] = power(h);
        if (input.powerAware) metrics.energyJ += ((powerStart[h]! + powerEnd[h]!) / 2) * dt;
        metrics.activeHostTimeS += dt;
        if (violated[h]) metrics.violationTimeS += dt;
      }
      if (!input.powerAware) metrics.energyJ += maxPowerW * dt;
      metrics.requestedMipsS += requested * dt;
      metrics.underAllocatedMigratingMipsS += underMigrating * dt;
      metrics.elapsedS += dt;
      if (toS < endS) {
        completeMigrations(toS, k);
        [requested, underMigrating] = evaluate(k, (toS - startS) / intervalS);
      }
      fromS = toS;
    }
  }

  return { ...metrics.result(), vms: V, hosts: H, unplacedVms: unplaced, retiredVms: retired, simulatedS: metrics.elapsedS };
}
