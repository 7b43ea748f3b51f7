import type { MigrationCostModel } from "../migration-cost/migration-cost";
import type { PowerModel } from "../power/power-model";
import { PoliciesError } from "./errors";
import type { ClusterSnapshot, TrafficRow } from "./snapshot";

/** CloudSim keeps the last 30 utilisation samples per VM (PowerVm.HISTORY_LENGTH). */
export const HISTORY_LENGTH = 30;

/**
 * What an overload detector looks at: the host's requested CPU as a fraction of its capacity (can exceed
 * 1) and its utilisation history, newest sample first, as CloudSim builds it: the sum of the current VMs'
 * histories weighted by VM MIPS / host MIPS, with the all-zero oldest tail trimmed.
 */
export interface HostLoad {
  readonly utilization: number;
  readonly history: ArrayLike<number>;
  readonly historyLength: number;
  /** Seconds between history samples. */
  readonly intervalS: number;
  /** Longest migration of a VM on the host (LR looks this far ahead). */
  maxMigrationTimeS(): number;
}

/**
 * The working state a strategy mutates while it plans: index-based arrays built once from a snapshot.
 * "Start" arrays are frozen at the snapshot (CloudSim's policies read the host utilisation measured
 * before the round for a host's current power, for switched-off hosts and for under-load candidates, even
 * after they have tentatively placed VMs); the others follow tentative moves (allocatedMips: PABFD's
 * power after allocation).
 */
export class ClusterModel {
  readonly hostCount: number;
  readonly vmCount: number;
  readonly timeS: number;
  readonly intervalS: number;
  readonly hostIds: readonly string[];
  readonly vmIds: readonly string[];
  readonly capacityMips: Float64Array;
  readonly peMips: Float64Array;
  readonly hostMemMiB: Float64Array;
  readonly hostBandwidthMbps: Float64Array;
  readonly powerModels: readonly PowerModel[];
  readonly poweredOn: Uint8Array;
  readonly hostLabels: readonly (Readonly<Record<string, string>> | undefined)[];

  readonly vmMips: Float64Array;
  readonly vmVcpus: Float64Array;
  readonly vmMemMiB: Float64Array;
  readonly vmRamDemandMiB: Float64Array;
  readonly vmBandwidthDemandMbps: Float64Array;
  /** Current requested MIPS (last utilisation sample x nominal MIPS). */
  readonly vmDemandMips: Float64Array;
  readonly vmUtilization: Float64Array;
  readonly vmMigrating: Uint8Array;
  readonly vmLastMigratedAtS: Float64Array;
  /** NaN when the snapshot reports none. */
  readonly vmDirtyRateMiBps: Float64Array;
  /** Traffic per VM: peer VM indices and rates, both directions summed (empty without traffic). */
  readonly vmPeers: readonly (readonly VmPeer[])[];
  readonly vmHistory: readonly ArrayLike<number>[];
  /** Host of each VM in the snapshot. */
  readonly vmStartHost: Int32Array;

  /** CloudSim's host "utilisation MIPS" at the snapshot: capped per vCPU, scaled down when oversubscribed. */
  readonly startAllocatedMips: Float64Array;
  readonly startRequestedMips: Float64Array;

  /** Tentative placement. */
  readonly vmHost: Int32Array;
  readonly hostVms: number[][];
  readonly requestedMips: Float64Array;
  readonly cappedMips: Float64Array;
  readonly ramUsedMiB: Float64Array;
  readonly bandwidthUsedMbps: Float64Array;

  private readonly migrationCacheMbps: Float64Array;
  private readonly migrationCacheMs: Float64Array;
  private readonly historyCache: Float64Array;
  private readonly historyCacheLength: Int32Array;
  private readonly historyCacheValid: Uint8Array;
  private readonly scratchHistory = new Float64Array(HISTORY_LENGTH);
  private readonly scratchLoad: MutableHostLoad;

  constructor(
    snapshot: ClusterSnapshot,
    readonly costModel: MigrationCostModel,
  ) {
    const hosts = snapshot.hosts;
    const vms = snapshot.vms;
    this.timeS = snapshot.timeS;
    this.intervalS = snapshot.intervalS;
    this.hostCount = hosts.length;
    this.vmCount = vms.length;
    const H = hosts.length;
    const V = vms.length;
    const hostIndex = new Map<string, number>();
    this.hostIds = hosts.map((h, i) => {
      if (hostIndex.has(h.id)) throw new PoliciesError("InvalidSnapshot", `duplicate host id ${h.id}`);
      if (!(h.cores > 0 && h.mipsPerCore > 0)) {
        throw new PoliciesError("InvalidSnapshot", `host ${h.id}: cores and mipsPerCore must be positive`);
      }
      hostIndex.set(h.id, i);
      return h.id;
    });
    this.capacityMips = Float64Array.from(hosts, (h) => h.cores * h.mipsPerCore);
    this.peMips = Float64Array.from(hosts, (h) => h.mipsPerCore);
    this.hostMemMiB = Float64Array.from(hosts, (h) => h.memMiB);
    this.hostBandwidthMbps = Float64Array.from(hosts, (h) => h.bandwidthMbps);
    this.powerModels = hosts.map((h) => h.powerModel);
    this.poweredOn = Uint8Array.from(hosts, (h) => (h.poweredOn ? 1 : 0));
    this.hostLabels = hosts.map((h) => h.labels);

    const vmIdSeen = new Set<string>();
    this.vmIds = vms.map((v) => {
      if (vmIdSeen.has(v.id)) throw new PoliciesError("InvalidSnapshot", `duplicate vm id ${v.id}`);
      if (v.utilizationHistory.length < 1) {
        throw new PoliciesError("InvalidSnapshot", `vm ${v.id}: utilisation history is empty`);
      }
      vmIdSeen.add(v.id);
      return v.id;
    });
    this.vmMips = Float64Array.from(vms, (v) => v.mips);
    this.vmVcpus = Float64Array.from(vms, (v) => v.vcpus);
    this.vmMemMiB = Float64Array.from(vms, (v) => v.memMiB);
    this.vmRamDemandMiB = Float64Array.from(vms, (v) => v.memDemandMiB);
    this.vmBandwidthDemandMbps = Float64Array.from(vms, (v) => v.bandwidthDemandMbps);
    this.vmHistory = vms.map((v) => v.utilizationHistory);
    this.vmUtilization = Float64Array.from(vms, (v) => v.utilizationHistory[v.utilizationHistory.length - 1]!);
    this.vmDemandMips = new Float64Array(V);
    for (let v = 0; v < V; v++) this.vmDemandMips[v] = this.vmUtilization[v]! * this.vmMips[v]!;
    this.vmMigrating = Uint8Array.from(vms, (v) => (v.migrating ? 1 : 0));
    this.vmLastMigratedAtS = Float64Array.from(vms, (v) => v.lastMigratedAtS ?? Number.NaN);
    this.vmDirtyRateMiBps = Float64Array.from(vms, (v) => v.dirtyRateMiBps ?? Number.NaN);
    this.vmPeers = peersOf(snapshot.traffic ?? [], this.vmIds);

    this.migrationCacheMbps = new Float64Array(V).fill(Number.NaN);
    this.migrationCacheMs = new Float64Array(V);
    this.historyCache = new Float64Array(H * HISTORY_LENGTH);
    this.historyCacheLength = new Int32Array(H);
    this.historyCacheValid = new Uint8Array(H);
    this.vmHost = new Int32Array(V);
    this.vmStartHost = new Int32Array(V);
    this.hostVms = Array.from({ length: H }, () => [] as number[]);
    this.requestedMips = new Float64Array(H);
    this.cappedMips = new Float64Array(H);
    this.ramUsedMiB = new Float64Array(H);
    this.bandwidthUsedMbps = new Float64Array(H);
    for (let v = 0; v < V; v++) {
      const h = hostIndex.get(vms[v]!.hostId);
      if (h === undefined) throw new PoliciesError("InvalidSnapshot", `vm ${vms[v]!.id}: unknown host ${vms[v]!.hostId}`);
      this.vmStartHost[v] = h;
      this.vmHost[v] = -1;
      this.attach(v, h);
    }
    this.startRequestedMips = Float64Array.from(this.requestedMips);
    this.startAllocatedMips = new Float64Array(H);
    for (let h = 0; h < H; h++) this.startAllocatedMips[h] = Math.min(this.cappedMips[h]!, this.capacityMips[h]!);

    this.scratchLoad = new MutableHostLoad(this);
  }

  /** CPU a VM gets on a host when uncontended: each vCPU is capped at one physical core. */
  cappedDemandMips(vm: number, host: number): number {
    const vcpus = this.vmVcpus[vm]!;
    return Math.min(this.vmDemandMips[vm]! / vcpus, this.peMips[host]!) * vcpus;
  }

  /**
   * CPU allocated on a host in the tentative placement (CloudSim's VM scheduler: each vCPU capped at a
   * core, never more than the host has). Equals startAllocatedMips until VMs come or go.
   */
  allocatedMips(host: number): number {
    return Math.min(this.cappedMips[host]!, this.capacityMips[host]!);
  }

  availableMips(host: number): number {
    return Math.max(0, this.capacityMips[host]! - this.cappedMips[host]!);
  }

  /** CloudSim's Host.isSuitableForVm on the tentative placement, with the VM's current demand. */
  fits(vm: number, host: number): boolean {
    const demand = this.vmDemandMips[vm]!;
    return (
      this.peMips[host]! >= demand / this.vmVcpus[vm]! &&
      this.availableMips(host) >= demand &&
      this.hostMemMiB[host]! - this.ramUsedMiB[host]! >= this.vmRamDemandMiB[vm]! &&
      this.hostBandwidthMbps[host]! - this.bandwidthUsedMbps[host]! >= this.vmBandwidthDemandMbps[vm]!
    );
  }

  /** Requested CPU over capacity on the tentative placement. */
  utilization(host: number): number {
    return this.requestedMips[host]! / this.capacityMips[host]!;
  }

  startUtilization(host: number): number {
    return this.startAllocatedMips[host]! / this.capacityMips[host]!;
  }

  detach(vm: number): void {
    const h = this.vmHost[vm]!;
    if (h < 0) return;
    const list = this.hostVms[h]!;
    list.splice(list.indexOf(vm), 1);
    this.requestedMips[h] = list.length === 0 ? 0 : this.requestedMips[h]! - this.vmDemandMips[vm]!;
    this.cappedMips[h] = list.length === 0 ? 0 : this.cappedMips[h]! - this.cappedDemandMips(vm, h);
    this.ramUsedMiB[h] = this.ramUsedMiB[h]! - this.vmRamDemandMiB[vm]!;
    this.bandwidthUsedMbps[h] = this.bandwidthUsedMbps[h]! - this.vmBandwidthDemandMbps[vm]!;
    this.historyCacheValid[h] = 0;
    this.vmHost[vm] = -1;
  }

  attach(vm: number, host: number): void {
    if (this.vmHost[vm]! >= 0) this.detach(vm);
    this.hostVms[host]!.push(vm);
    this.requestedMips[host] = this.requestedMips[host]! + this.vmDemandMips[vm]!;
    this.cappedMips[host] = this.cappedMips[host]! + this.cappedDemandMips(vm, host);
    this.ramUsedMiB[host] = this.ramUsedMiB[host]! + this.vmRamDemandMiB[vm]!;
    this.bandwidthUsedMbps[host] = this.bandwidthUsedMbps[host]! + this.vmBandwidthDemandMbps[vm]!;
    this.historyCacheValid[host] = 0;
    this.vmHost[vm] = host;
  }

  /**
   * A VM's migration time over a target's link. Detectors and selection rules ask for it in their inner loops
   * (LR's look-ahead: every VM of every candidate host, for every VM placed), so the last answer per VM is kept:
   * within a snapshot a VM's time depends only on the link's bandwidth.
   */
  migrationTimeMs(vm: number, targetHost: number): number {
    const bandwidthMbps = this.hostBandwidthMbps[targetHost]!;
    if (this.migrationCacheMbps[vm] === bandwidthMbps) return this.migrationCacheMs[vm]!;
    const dirty = this.vmDirtyRateMiBps[vm]!;
    const ms = this.costModel.migrationTimeMs(
      Number.isNaN(dirty)
        ? { memMiB: this.vmMemMiB[vm]!, utilization: this.vmUtilization[vm]! }
        : { memMiB: this.vmMemMiB[vm]!, utilization: this.vmUtilization[vm]!, dirtyRateMiBps: dirty },
      { bandwidthMbps },
    );
    this.migrationCacheMbps[vm] = bandwidthMbps;
    this.migrationCacheMs[vm] = ms;
    return ms;
  }

  /**
   * The detector's view of a host on the tentative placement, optionally with one more VM ("after
   * allocation"). The returned object is reused: read it before the next call.
   */
  hostLoad(host: number, extraVm = -1): HostLoad {
    const load = this.scratchLoad;
    const capacity = this.capacityMips[host]!;
    const base = this.cachedHistory(host);
    let length = this.historyCacheLength[host]!;
    let requested = this.requestedMips[host]!;
    if (extraVm < 0) {
      load.set(host, -1, requested / capacity, base, length);
      return load;
    }
    requested += this.vmDemandMips[extraVm]!;
    const out = this.scratchHistory;
    out.set(base);
    const hist = this.vmHistory[extraVm]!;
    const weight = this.vmMips[extraVm]! / capacity;
    const n = Math.min(HISTORY_LENGTH, hist.length);
    for (let i = 0; i < n; i++) out[i] = out[i]! + hist[hist.length - 1 - i]! * weight;
    length = trimmedLength(out, Math.max(length, n));
    load.set(host, extraVm, requested / capacity, out, length);
    return load;
  }

  private cachedHistory(host: number): Float64Array {
    const offset = host * HISTORY_LENGTH;
    const view = this.historyCache.subarray(offset, offset + HISTORY_LENGTH);
    if (this.historyCacheValid[host]) return view;
    view.fill(0);
    const capacity = this.capacityMips[host]!;
    let longest = 0;
    for (const vm of this.hostVms[host]!) {
      const hist = this.vmHistory[vm]!;
      const weight = this.vmMips[vm]! / capacity;
      const n = Math.min(HISTORY_LENGTH, hist.length);
      for (let i = 0; i < n; i++) view[i] = view[i]! + hist[hist.length - 1 - i]! * weight;
      if (n > longest) longest = n;
    }
    this.historyCacheLength[host] = trimmedLength(view, longest);
    this.historyCacheValid[host] = 1;
    return view;
  }
}

export interface VmPeer {
  readonly vm: number;
  readonly rate: number;
}

const NO_PEERS: readonly VmPeer[] = [];

/** Adjacency lists of the snapshot's traffic (a pair listed twice, or both ways, gives two entries). */
function peersOf(traffic: readonly TrafficRow[], vmIds: readonly string[]): (readonly VmPeer[])[] {
  if (traffic.length === 0) return vmIds.map(() => NO_PEERS);
  const vmIndex = new Map(vmIds.map((id, i) => [id, i]));
  const peers: VmPeer[][] = vmIds.map(() => []);
  for (const [i, row] of traffic.entries()) {
    const [a, b, rate] = row;
    const va = vmIndex.get(a);
    const vb = vmIndex.get(b);
    if (va === undefined || vb === undefined) {
      throw new PoliciesError("InvalidSnapshot", `traffic[${i}]: unknown vm ${va === undefined ? a : b}`);
    }
    if (!(Number.isFinite(rate) && rate >= 0)) {
      throw new PoliciesError("InvalidSnapshot", `traffic[${i}]: rate must be a finite number >= 0, got ${rate}`);
    }
    if (va === vb || rate === 0) continue;
    peers[va]!.push({ vm: vb, rate });
    peers[vb]!.push({ vm: va, rate });
  }
  return peers;
}

/** CloudSim's MathUtil.trimZeroTail: drop the all-zero oldest end of a newest-first series. */
function trimmedLength(series: Float64Array, length: number): number {
  let n = length;
  while (n > 0 && series[n - 1] === 0) n--;
  return n;
}

class MutableHostLoad implements HostLoad {
  utilization = 0;
  history: Float64Array = new Float64Array(0);
  historyLength = 0;
  readonly intervalS: number;
  private host = -1;
  private extraVm = -1;

  constructor(private readonly model: ClusterModel) {
    this.intervalS = model.intervalS;
  }

  set(host: number, extraVm: number, utilization: number, history: Float64Array, length: number): void {
    this.host = host;
    this.extraVm = extraVm;
    this.utilization = utilization;
    this.history = history;
    this.historyLength = length;
  }

  maxMigrationTimeS(): number {
    let longestMs = 0;
    for (const vm of this.model.hostVms[this.host]!) {
      longestMs = Math.max(longestMs, this.model.migrationTimeMs(vm, this.host));
    }
    if (this.extraVm >= 0) longestMs = Math.max(longestMs, this.model.migrationTimeMs(this.extraVm, this.host));
    return longestMs / 1000;
  }
}
