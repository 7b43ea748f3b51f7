import { FERRY_PLACEMENT_WEIGHTS, ferryTargetChooser, type FerryPlacementWeights } from "../adapters/ferry-placement";
import { DEFAULT_FORECAST, DemandForecast } from "../forecast/vm-demand";
import type { MigrationCostModel } from "../migration-cost/migration-cost";
import { ClusterModel } from "../model/cluster-model";
import type { Plan } from "../model/plan";
import type { ClusterSnapshot } from "../model/snapshot";
import { PlanBuilder } from "./plan-builder";
import type { Strategy } from "./strategy";

export interface FerryOptions {
  /** Margin, in standard deviations of a host's forecast. */
  readonly z: number;
  /** Targets are filled up to this share of capacity (forecast peak). */
  readonly fill: number;
  /** A host is relieved when its forecast peak passes this share of capacity, or its demand passes 100 %. */
  readonly overload: number;
  /** Hosts whose forecast peak is under this share of capacity are candidates to be emptied. */
  readonly evacuateBelow: number;
  /** A host is emptied only if that takes at most this many migrations. */
  readonly maxEvacuationMoves: number;
  /** A VM that arrived less than this long ago is not moved to consolidate (no ping-pong). */
  readonly holdS: number;
  /** Samples of each VM's history the forecast uses. */
  readonly windowSamples: number;
  /** Floor on a VM's forecast spread, as a share of its nominal MIPS. */
  readonly minSpreadShare: number;
  /** Weights of the target choice's terms (energy, balance, traffic, migration time). */
  readonly placementWeights: FerryPlacementWeights;
}

/**
 * For ESV with few migrations. z was chosen on the tuning days 20110303 and 20110306 only (lowest mean ESV
 * of z = 0, 0.5, 1, 1.5, 2); the other knobs come from earlier tuning (see the library README).
 */
export const FERRY_DEFAULTS: FerryOptions = {
  z: 0.5,
  fill: 0.95,
  overload: 1,
  evacuateBelow: 0.7,
  maxEvacuationMoves: 12,
  holdS: 3600,
  windowSamples: DEFAULT_FORECAST.windowSamples,
  minSpreadShare: DEFAULT_FORECAST.minSpreadShare,
  placementWeights: FERRY_PLACEMENT_WEIGHTS,
};

/**
 * Packs harder: fuller targets, more hosts emptied, and no balance term, so a VM goes to the first running host of
 * the cheapest kind in watts instead of the least loaded one. Less energy than the defaults, for a higher ESV
 * (README, "Ferry's policy and why it wins"). Its margin z = 1 was not revisited when `ferry`'s was set to 0.5.
 */
export const FERRY_DENSE: Partial<FerryOptions> = {
  z: 1,
  fill: 0.97,
  evacuateBelow: 0.75,
  maxEvacuationMoves: 20,
  placementWeights: { ...FERRY_PLACEMENT_WEIGHTS, balance: 0 },
};

/**
 * Ferry's consolidation policy.
 *
 * Phases:
 *  1. Forecast every VM's demand from its own history (level and spread, forecast/vm-demand.ts); a host's
 *     forecast peak is sum(level) + z sqrt(sum(variance)).
 *  2. Relieve: a host whose demand exceeds its capacity, or whose forecast peak exceeds `overload`, sheds
 *     VMs until its forecast peak is back under `fill` (hysteresis: the gap between the two thresholds
 *     keeps a host from flapping). Each step moves the VM that removes the most forecast peak per second
 *     of migration, so big, idle-memory VMs stay put.
 *  3. Consolidate: hosts with a small forecast peak are emptied, least loaded first, but only when every
 *     VM fits on a host that is already running, the host needs at most `maxEvacuationMoves` migrations,
 *     and none of its VMs arrived within `holdS`: a move must pay for itself in switched-off idle power.
 *  Targets come from Ferry's target choice (adapters/ferry-placement.ts): hosts whose forecast peak stays under
 *  `fill` with the VM and whose cores are not slower than its vCPUs, scored by @ferry/placement on energy,
 *  balance and traffic, and by the migration predictor's time. With the default weights a running host always
 *  beats waking one, and among running hosts of a kind the least loaded wins.
 *
 * Assumptions: any VM can live-migrate to any host; VMs' demands are roughly independent (that is what
 * makes the sqrt-of-variances margin sound); moves of one plan start together.
 */
export function ferry(name: string, costModel: MigrationCostModel, overrides: Partial<FerryOptions> = {}): Strategy {
  const o: FerryOptions = { ...FERRY_DEFAULTS, ...overrides };
  return {
    name,
    plan(snapshot: ClusterSnapshot): Plan {
      const model = new ClusterModel(snapshot, costModel);
      const forecast = new DemandForecast(model, { windowSamples: o.windowSamples, minSpreadShare: o.minSpreadShare });
      const chooser = ferryTargetChooser(forecast, { z: o.z, fill: o.fill, weights: o.placementWeights });
      const plan = new PlanBuilder(name, model);
      const H = model.hostCount;
      const capacity = model.capacityMips;
      const pct = (h: number): string => `${((forecast.hostPeak(h, o.z) / capacity[h]!) * 100).toFixed(1)}%`;

      const atRisk = (h: number): boolean =>
        model.requestedMips[h]! > capacity[h]! || forecast.hostPeak(h, o.z) > o.overload * capacity[h]!;
      const risky: number[] = [];
      for (let h = 0; h < H; h++) if (model.hostVms[h]!.length > 0 && atRisk(h)) risky.push(h);
      risky.sort((a, b) => forecast.hostPeak(b, o.z) / capacity[b]! - forecast.hostPeak(a, o.z) / capacity[a]!);

      const excluded = new Uint8Array(H);
      for (const h of risky) excluded[h] = 1;
      const targets = new Uint8Array(H);
      for (const h of risky) {
        plan.finding(h, "overloaded", `forecast peak ${pct(h)} (demand ${((model.requestedMips[h]! / capacity[h]!) * 100).toFixed(1)}%)`);
        while (forecast.hostPeak(h, o.z) > o.fill * capacity[h]! && model.hostVms[h]!.length > 1) {
          const vm = bestToShed(model, forecast, h, o.z);
          if (vm < 0) break;
          const target = chooser.choose(model, vm, excluded);
          if (target < 0) break;
          const before = pct(h);
          forecast.attach(vm, target);
          targets[target] = 1;
          plan.move(vm, target, "host-overloaded", `${model.hostIds[h]} forecast peak ${before} > ${o.overload * 100}%; ${chooser.explain(model, vm, target)}`);
        }
      }

      const candidates: number[] = [];
      for (let h = 0; h < H; h++) {
        const vms = model.hostVms[h]!;
        if (vms.length === 0 || excluded[h] || targets[h] || vms.length > o.maxEvacuationMoves) continue;
        if (forecast.hostPeak(h, o.z) >= o.evacuateBelow * capacity[h]!) continue;
        if (vms.some((vm) => model.vmMigrating[vm] || model.timeS - model.vmLastMigratedAtS[vm]! < o.holdS)) continue;
        candidates.push(h);
      }
      candidates.sort((a, b) => forecast.hostPeak(a, o.z) / capacity[a]! - forecast.hostPeak(b, o.z) / capacity[b]!);
      const idle = new Uint8Array(H);
      for (let h = 0; h < H; h++) if (model.hostVms[h]!.length === 0) idle[h] = 1;
      for (const h of candidates) {
        if (targets[h] || model.hostVms[h]!.length === 0) continue;
        const blocked = Uint8Array.from(idle);
        blocked[h] = 1;
        for (let x = 0; x < H; x++) if (excluded[x]) blocked[x] = 1;
        const vms = [...model.hostVms[h]!].sort((a, b) => forecast.level[b]! - forecast.level[a]!);
        const placed: Array<[number, number]> = [];
        for (const vm of vms) {
          const target = chooser.choose(model, vm, blocked);
          if (target < 0) break;
          forecast.attach(vm, target);
          placed.push([vm, target]);
        }
        if (placed.length < vms.length) {
          for (let i = placed.length - 1; i >= 0; i--) forecast.attach(placed[i]![0], h);
          continue;
        }
        plan.finding(h, "underloaded-evacuated", `forecast peak ${pct(h)} before; ${vms.length} VM(s) fit on running hosts`);
        idle[h] = 1;
        excluded[h] = 1;
        for (const [vm, target] of placed) {
          targets[target] = 1;
          plan.move(vm, target, "host-underloaded", `${model.hostIds[h]} emptied to switch it off; ${chooser.explain(model, vm, target)}`);
        }
      }
      return plan.build();
    },
  };
}

/** The movable VM whose departure lowers the host's forecast peak most per second of migration. */
function bestToShed(model: ClusterModel, forecast: DemandForecast, host: number, z: number): number {
  const peak = forecast.hostPeak(host, z);
  const level = forecast.hostLevel[host]!;
  const variance = forecast.hostVariance[host]!;
  let best = -1;
  let bestRate = -Infinity;
  for (const vm of model.hostVms[host]!) {
    if (model.vmMigrating[vm]) continue;
    const without = level - forecast.level[vm]! + z * Math.sqrt(Math.max(0, variance - forecast.variance[vm]!));
    const rate = (peak - without) / model.migrationTimeMs(vm, host);
    if (rate > bestRate) {
      bestRate = rate;
      best = vm;
    }
  }
  return best;
}
