/**
 * How long a live migration of a VM takes. Strategies use it to rank VMs (MMT), to look ahead (LR) and to
 * weigh cost against gain (Ferry); the simulator uses it for the time a VM spends migrating.
 */
export interface MigratingVm {
  readonly memMiB: number;
  /** Current CPU utilisation (0..1): a busy VM dirties memory faster. */
  readonly utilization: number;
  /** Measured page-write rate, when the cluster reports one; models that need it derive it from CPU otherwise. */
  readonly dirtyRateMiBps?: number;
}

export interface Link {
  /** Capacity of the host link; the model decides what share a migration gets. */
  readonly bandwidthMbps: number;
}

export interface MigrationCostModel {
  readonly name: string;
  migrationTimeMs(vm: MigratingVm, link: Link): number;
}
