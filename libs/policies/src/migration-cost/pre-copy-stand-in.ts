import type { Link, MigratingVm, MigrationCostModel } from "./migration-cost";

export interface PreCopyStandInOptions {
  /** Share of the link a migration gets (CloudSim: half). */
  readonly migrationShare: number;
  /** Rate at which a VM at 100 % CPU dirties memory, MiB/s. Scales linearly with utilisation. */
  readonly dirtyRateAtFullLoadMiBps: number;
  /** Stop-and-copy once the dirty set is this small (MiB). */
  readonly stopCopyMiB: number;
  readonly maxRounds: number;
}

const DEFAULTS: PreCopyStandInOptions = {
  migrationShare: 0.5,
  dirtyRateAtFullLoadMiBps: 25,
  stopCopyMiB: 16,
  maxRounds: 30,
};

/**
 * STAND-IN for @ferry/migration's predictor (issue 4), which is being built in parallel and is not
 * available to this library yet. A textbook iterative pre-copy: round i sends what round i-1 dirtied,
 * the dirty rate grows with CPU utilisation, and the last round is the stop-and-copy downtime. It makes
 * busy VMs slower to move than memory / bandwidth says, which is the behaviour the real predictor adds;
 * its constants are assumptions, not measurements. `adapters/ferry-migration.ts` is the one place that
 * will switch to the real predictor.
 */
export function preCopyStandIn(options: Partial<PreCopyStandInOptions> = {}): MigrationCostModel {
  const o = { ...DEFAULTS, ...options };
  return {
    name: "pre-copy-stand-in",
    migrationTimeMs(vm: MigratingVm, link: Link): number {
      const rateMiBps = (link.bandwidthMbps * o.migrationShare) / 8;
      const dirtyMiBps = o.dirtyRateAtFullLoadMiBps * Math.min(1, Math.max(0, vm.utilization));
      let toSend = vm.ramMiB;
      let totalS = 0;
      for (let round = 0; round < o.maxRounds && toSend > o.stopCopyMiB; round++) {
        const roundS = toSend / rateMiBps;
        totalS += roundS;
        const dirtied = Math.min(vm.ramMiB, dirtyMiBps * roundS);
        // A dirty rate at or above the link rate never converges: stop and copy what is dirty now.
        if (dirtied >= toSend) {
          toSend = dirtied;
          break;
        }
        toSend = dirtied;
      }
      return (totalS + toSend / rateMiBps) * 1000;
    },
  };
}
