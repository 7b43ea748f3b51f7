import type { ClusterModel } from "../model/cluster-model";

export interface VmDemandForecastOptions {
  /** Samples per VM the forecast looks back over. */
  readonly windowSamples: number;
  /** Floor on each VM's spread, as a share of its nominal MIPS: a short or flat history is not a promise. */
  readonly minSpreadShare: number;
}

export const DEFAULT_FORECAST: VmDemandForecastOptions = { windowSamples: 12, minSpreadShare: 0.02 };

/**
 * Forecasts each VM's CPU demand for the next interval from its own recent history, instead of the host's:
 * a level (the recent mean, but never below the current sample, so a rising VM is taken at its word) and a
 * spread (standard deviation). Hosts then add VMs up the way independent loads add: levels sum, variances
 * sum, so the peak a host must absorb is sum(level) + z x sqrt(sum(variance)), well below the sum of the
 * VMs' individual peaks. The model tracks these sums as VMs move.
 */
export class DemandForecast {
  /** MIPS. */
  readonly level: Float64Array;
  /** MIPS^2. */
  readonly variance: Float64Array;
  readonly hostLevel: Float64Array;
  readonly hostVariance: Float64Array;

  constructor(
    readonly model: ClusterModel,
    options: VmDemandForecastOptions = DEFAULT_FORECAST,
  ) {
    const V = model.vmCount;
    this.level = new Float64Array(V);
    this.variance = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      const hist = model.vmHistory[v]!;
      const n = Math.min(options.windowSamples, hist.length);
      let sum = 0;
      let sumSq = 0;
      for (let i = hist.length - n; i < hist.length; i++) {
        sum += hist[i]!;
        sumSq += hist[i]! * hist[i]!;
      }
      const mean = sum / n;
      const sd = Math.max(Math.sqrt(Math.max(0, sumSq / n - mean * mean)), options.minSpreadShare);
      const mips = model.vmMips[v]!;
      this.level[v] = Math.max(mean, hist[hist.length - 1]!) * mips;
      this.variance[v] = (sd * mips) ** 2;
    }
    this.hostLevel = new Float64Array(model.hostCount);
    this.hostVariance = new Float64Array(model.hostCount);
    for (let v = 0; v < V; v++) {
      const h = model.vmHost[v]!;
      if (h < 0) continue;
      this.hostLevel[h] = this.hostLevel[h]! + this.level[v]!;
      this.hostVariance[h] = this.hostVariance[h]! + this.variance[v]!;
    }
  }

  /** Moves a VM in the model and keeps the host sums in step. */
  attach(vm: number, host: number): void {
    const from = this.model.vmHost[vm]!;
    if (from >= 0) {
      const empty = this.model.hostVms[from]!.length === 1;
      this.hostLevel[from] = empty ? 0 : this.hostLevel[from]! - this.level[vm]!;
      this.hostVariance[from] = empty ? 0 : this.hostVariance[from]! - this.variance[vm]!;
    }
    this.model.attach(vm, host);
    this.hostLevel[host] = this.hostLevel[host]! + this.level[vm]!;
    this.hostVariance[host] = this.hostVariance[host]! + this.variance[vm]!;
  }

  detach(vm: number): void {
    const from = this.model.vmHost[vm]!;
    if (from < 0) return;
    const empty = this.model.hostVms[from]!.length === 1;
    this.hostLevel[from] = empty ? 0 : this.hostLevel[from]! - this.level[vm]!;
    this.hostVariance[from] = empty ? 0 : this.hostVariance[from]! - this.variance[vm]!;
    this.model.detach(vm);
  }

  /** The CPU a host should be ready for with `z` standard deviations of margin, optionally with one more VM. */
  hostPeak(host: number, z: number, extraVm = -1): number {
    let level = this.hostLevel[host]!;
    let variance = this.hostVariance[host]!;
    if (extraVm >= 0) {
      level += this.level[extraVm]!;
      variance += this.variance[extraVm]!;
    }
    return level + z * Math.sqrt(variance);
  }
}
