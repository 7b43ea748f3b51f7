/**
 * The paper's metrics, computed as CloudSim's examples/power/Helper computes them.
 *  - Energy: per host and interval, the mean of the power at both ends times the duration, for hosts that
 *    were running (utilisation > 0) at the start of the interval (PowerHost.getEnergyLinearInterpolation).
 *  - SLATAH, SLA time per active host: over all hosts, the time a host was active and got less CPU than
 *    its VMs requested, divided by the time hosts were active (Helper.getSlaTimePerActiveHost). A host
 *    receiving a VM counts the VM's full demand as requested but only 10 % as allocated while it migrates.
 *  - PDM, performance degradation due to migration: CPU requested but not allocated to VMs while they
 *    migrate (10 % of their demand, plus any shortage on the source), over all CPU requested
 *    (Helper.getSlaMetrics "underallocated_migration").
 *  - SLAV = SLATAH x PDM, ESV = energy (kWh) x SLAV.
 */
export interface SimulationMetrics {
  readonly energyKWh: number;
  readonly migrations: number;
  readonly slatahPct: number;
  readonly pdmPct: number;
  readonly slav: number;
  readonly esv: number;
  readonly activeHostsMean: number;
}

export class MetricsAccumulator {
  energyJ = 0;
  migrations = 0;
  activeHostTimeS = 0;
  violationTimeS = 0;
  requestedMipsS = 0;
  underAllocatedMigratingMipsS = 0;
  elapsedS = 0;

  result(): SimulationMetrics {
    const slatah = this.activeHostTimeS > 0 ? this.violationTimeS / this.activeHostTimeS : 0;
    const pdm = this.requestedMipsS > 0 ? this.underAllocatedMigratingMipsS / this.requestedMipsS : 0;
    const energyKWh = this.energyJ / 3.6e6;
    const slav = slatah * pdm;
    return {
      energyKWh,
      migrations: this.migrations,
      slatahPct: slatah * 100,
      pdmPct: pdm * 100,
      slav,
      esv: energyKWh * slav,
      activeHostsMean: this.elapsedS > 0 ? this.activeHostTimeS / this.elapsedS : 0,
    };
  }
}
