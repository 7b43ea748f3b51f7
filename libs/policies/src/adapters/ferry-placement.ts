import { placeVm, type Host, type HostVerdict, type Vm } from "@ferry/placement";
import type { DemandForecast } from "../forecast/vm-demand";
import type { ClusterModel } from "../model/cluster-model";
import type { TrafficRow } from "../model/snapshot";
import type { TargetChooser } from "../placement/target-chooser";

/**
 * Importance of each term in Ferry's target choice, as @ferry/placement combines its plugins: each term's cost
 * change is normalised to 0..100 over the feasible hosts (100 = cheapest) and the host score is their weighted
 * mean. `migration` is the migration predictor's time to each host, added to the engine's own terms here.
 */
export interface FerryPlacementWeights {
  readonly energy: number;
  readonly balance: number;
  readonly traffic: number;
  readonly migration: number;
}

/**
 * Energy outweighs balance so that a running host always beats waking one: a running host's energy score stays
 * within 1 of the best, an idle one's near 0, while balance prefers the emptiest host, so with equal weights the
 * fullest running host could lose to an idle one. Traffic as @ferry/placement's default (2 to balance's 1).
 */
export const FERRY_PLACEMENT_WEIGHTS: FerryPlacementWeights = { energy: 3, balance: 1, traffic: 2, migration: 1 };

export interface FerryTargetOptions {
  /** Margin in standard deviations of the host's forecast. */
  readonly z: number;
  /** A target's forecast peak must stay below this share of its capacity. */
  readonly fill: number;
  readonly weights: FerryPlacementWeights;
}

/**
 * Ferry's target choice: @ferry/placement's `placeVm` with energy, balance and traffic terms, plus the migration
 * predictor's cost, behind this library's TargetChooser.
 *
 * 1. Ferry's filters, which the engine's additive capacity model cannot express: the VM fits now (CloudSim's
 *    rule: a core holds one vCPU's demand, free MIPS, memory, bandwidth), each of its vCPUs could run at full
 *    nominal speed on one of the host's cores, and the host's forecast peak with the VM, sum(level) + z
 *    sqrt(sum(variance)), stays under `fill` x capacity.
 * 2. The engine scores what passes. CPU is in MIPS: a host offers its capacity, a VM asks for its forecast level
 *    (the mean the host's power and balance will see); memory is what the snapshot says VMs need; watts come from
 *    each host's power curve (idle and full load: the engine's model is linear in between).
 * 3. The predictor's migration time to each feasible host is normalised the same way and joins the weighted mean.
 *    On PlanetLab every host has the same 1 Gbit/s link, so this term is the same for every host there.
 *
 * The request is compressed without changing the engine's answer, which is what keeps it off the simulator's
 * critical path (README, "Ferry's target choice"): energy, balance and capacity depend on a host's totals only,
 * so each candidate host carries its load as one aggregate VM, and only the VM's traffic peers are sent one by
 * one; empty hosts that are alike (capacity, cores, memory, power curve, rack and pod) score alike, so only the
 * first of each kind is sent, which is also the one the engine's tie-break by host order would pick.
 */
export function ferryTargetChooser(forecast: DemandForecast, options: FerryTargetOptions): TargetChooser {
  const { z, fill, weights } = options;
  const model = forecast.model;
  const engineWeights = { energy: weights.energy, balance: weights.balance, traffic: weights.traffic, migration: 0 };
  const engineWeight = weights.energy + weights.balance + weights.traffic;
  const kindOf = hostKinds(model);
  const engineHosts = model.hostIds.map((id, h): Host => {
    const labels = model.hostLabels[h];
    return {
      id,
      cpu: model.capacityMips[h]!,
      memMiB: model.hostMemMiB[h]!,
      powerIdleW: model.powerModels[h]!.idleW,
      powerMaxW: model.powerModels[h]!.maxW,
      ...(labels ? { labels } : {}),
    };
  });
  let last: { vm: number; host: number; detail: string } | undefined;

  const eligible = (vm: number, h: number): boolean =>
    model.fits(vm, h) &&
    model.peMips[h]! * model.vmVcpus[vm]! >= model.vmMips[vm]! &&
    forecast.hostPeak(h, z, vm) <= fill * model.capacityMips[h]!;

  return {
    name: "ferry-placement",
    choose(_model: ClusterModel, vm: number, excluded: Uint8Array): number {
      const candidates: number[] = [];
      const kindsSent = new Set<string>();
      for (let h = 0; h < model.hostCount; h++) {
        if (excluded[h] || !eligible(vm, h)) continue;
        if (model.hostVms[h]!.length === 0) {
          if (kindsSent.has(kindOf[h]!)) continue;
          kindsSent.add(kindOf[h]!);
        }
        candidates.push(h);
      }
      last = undefined;
      if (candidates.length === 0) return -1;

      const request = engineRequest(model, forecast, engineHosts, candidates, vm);
      const result = placeVm({ ...request, weights: engineWeights });
      const chosen = withMigrationCost(model, vm, result.hosts, request.hostIndex, weights.migration, engineWeight, engineWeights);
      if (chosen.host < 0) return -1;
      last = { vm, host: chosen.host, detail: `${chosen.detail} of ${chosen.scored} host(s) scored` };
      return chosen.host;
    },
    explain(_model: ClusterModel, vm: number, host: number): string {
      const peak = `forecast peak ${((forecast.hostPeak(host, z) / model.capacityMips[host]!) * 100).toFixed(1)}% of capacity with the VM`;
      const why = last && last.vm === vm && last.host === host ? `; ${last.detail}` : "";
      return `ferry-placement: ${model.hostIds[host]} ${peak}${why}`;
    },
  };
}

interface EngineRequest {
  readonly hosts: Host[];
  readonly vms: Vm[];
  readonly current: Record<string, string>;
  readonly vm: Vm;
  readonly traffic: TrafficRow[];
  /** Model index of each request host, in request order. */
  readonly hostIndex: number[];
}

/** The aggregate VM that carries a host's load; the NUL byte keeps it apart from any real VM id. */
const loadId = (hostId: string) => `\u0000load:${hostId}`;

function engineRequest(model: ClusterModel, forecast: DemandForecast, engineHosts: readonly Host[], candidates: readonly number[], vm: number): EngineRequest {
  const hosts: Host[] = [];
  const hostIndex: number[] = [];
  const vms: Vm[] = [];
  const current: Record<string, string> = {};
  const traffic: TrafficRow[] = [];
  const peerLevel = new Map<number, number>();
  const peerMemMiB = new Map<number, number>();
  for (const { vm: peer, rate } of model.vmPeers[vm]!) {
    const h = model.vmHost[peer]!;
    if (h < 0) continue;
    const id = model.vmIds[peer]!;
    traffic.push([model.vmIds[vm]!, id, rate]);
    if (current[id] !== undefined) continue;
    vms.push({ id, cpu: forecast.level[peer]!, memMiB: model.vmRamDemandMiB[peer]! });
    current[id] = model.hostIds[h]!;
    peerLevel.set(h, (peerLevel.get(h) ?? 0) + forecast.level[peer]!);
    peerMemMiB.set(h, (peerMemMiB.get(h) ?? 0) + model.vmRamDemandMiB[peer]!);
  }
  const candidateSet = new Set(candidates);
  for (const h of candidates) {
    hosts.push(engineHosts[h]!);
    hostIndex.push(h);
  }
  // A peer's host must be in the request for the peer's distance to count; if it is no candidate, it takes no VM.
  for (const h of peerLevel.keys()) {
    if (candidateSet.has(h)) continue;
    hosts.push({ ...engineHosts[h]!, state: "cordoned" });
    hostIndex.push(h);
  }
  for (const h of candidates) {
    if (model.hostVms[h]!.length === 0) continue;
    const id = loadId(model.hostIds[h]!);
    const cpu = Math.max(0, forecast.hostLevel[h]! - (peerLevel.get(h) ?? 0));
    const memMiB = Math.max(0, model.ramUsedMiB[h]! - (peerMemMiB.get(h) ?? 0));
    vms.push({ id, cpu, memMiB });
    current[id] = model.hostIds[h]!;
  }
  return {
    hosts,
    vms,
    current,
    vm: { id: model.vmIds[vm]!, cpu: forecast.level[vm]!, memMiB: model.vmRamDemandMiB[vm]! },
    traffic,
    hostIndex,
  };
}

/**
 * Adds the predictor's migration time to the engine's verdicts as one more normalised term, and picks the best
 * host with the engine's own tie-break: the higher score, then the lower weighted raw cost, then host order.
 */
function withMigrationCost(
  model: ClusterModel,
  vm: number,
  verdicts: readonly HostVerdict[],
  hostIndex: readonly number[],
  migrationWeight: number,
  engineWeight: number,
  engineWeights: Readonly<Record<string, number>>,
): { host: number; detail: string; scored: number } {
  const feasible: number[] = [];
  for (let i = 0; i < verdicts.length; i++) if (verdicts[i]!.feasible) feasible.push(i);
  if (feasible.length === 0) return { host: -1, detail: "", scored: 0 };
  const migrationMs = feasible.map((i) => model.migrationTimeMs(vm, hostIndex[i]!));
  const lo = Math.min(...migrationMs);
  const hi = Math.max(...migrationMs);
  const totalWeight = engineWeight + migrationWeight;
  let best = -1;
  let bestScore = -Infinity;
  let bestRaw = Infinity;
  let bestMigration = 100;
  for (let k = 0; k < feasible.length; k++) {
    const verdict = verdicts[feasible[k]!]!;
    const migration = hi - lo > 1e-12 * Math.max(1, hi) ? (100 * (hi - migrationMs[k]!)) / (hi - lo) : 100;
    const score = totalWeight > 0 ? (engineWeight * verdict.score + migrationWeight * migration) / totalWeight : 0;
    let raw = migrationWeight * migrationMs[k]!;
    for (const [name, cost] of Object.entries(verdict.rawCosts)) raw += (engineWeights[name] ?? 0) * cost;
    if (best < 0 || score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && raw < bestRaw - 1e-9)) {
      best = feasible[k]!;
      bestScore = score;
      bestRaw = raw;
      bestMigration = migration;
    }
  }
  const v = verdicts[best]!;
  const terms = Object.keys(engineWeights)
    .filter((name) => (engineWeights[name] ?? 0) > 0 && v.scores[name] !== undefined)
    .map((name) => `${name} ${v.scores[name]!.toFixed(1)}`);
  terms.push(`migration ${bestMigration.toFixed(1)}`);
  return { host: hostIndex[best]!, detail: `placement score ${bestScore.toFixed(1)} (${terms.join(", ")})`, scored: feasible.length };
}

/** Hosts that would score alike when empty: same capacity, cores, memory, link, power curve, rack and pod. */
function hostKinds(model: ClusterModel): string[] {
  return model.hostIds.map((_, h) => {
    const labels = model.hostLabels[h];
    return JSON.stringify([
      model.capacityMips[h],
      model.peMips[h],
      model.hostMemMiB[h],
      model.hostBandwidthMbps[h],
      model.powerModels[h]!.name,
      labels?.["rack"] ?? null,
      labels?.["pod"] ?? null,
    ]);
  });
}
