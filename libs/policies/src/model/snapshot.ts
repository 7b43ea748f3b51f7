import type { PowerModel } from "../power/power-model";

/**
 * What a strategy sees: the cluster at one instant, with enough history to forecast. The controller builds
 * it from its node registry and heartbeats; the simulator builds it from the trace. Strategies never keep
 * state between calls, so everything they need (including when a VM last moved) is in here.
 */
export interface HostSnapshot {
  readonly id: string;
  readonly cores: number;
  readonly mipsPerCore: number;
  readonly memMiB: number;
  /** Link capacity; a migration gets a share of it (see MigrationCostModel). */
  readonly bandwidthMbps: number;
  readonly powerModel: PowerModel;
  /** A host with no VMs may be switched off; a plan switches it on before moving VMs in. */
  readonly poweredOn: boolean;
  /**
   * Where the host sits, e.g. { rack: "r12", pod: "p3" }: Ferry's target choice prices traffic by these labels
   * (same host, same rack, same pod, elsewhere), as @ferry/placement's label topology does.
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface VmSnapshot {
  readonly id: string;
  readonly hostId: string;
  readonly vcpus: number;
  /** Nominal capacity of the VM (all vCPUs together). */
  readonly mips: number;
  /** Configured memory: what a migration has to copy. */
  readonly memMiB: number;
  /**
   * Memory that must fit on the host. CloudSim's PlanetLab workload requests no memory after boot
   * (UtilizationModelNull), so the simulator sets 0 here; a live cluster reports resident memory.
   */
  readonly memDemandMiB: number;
  readonly bandwidthDemandMbps: number;
  /**
   * CPU utilisation as a fraction of `mips`, one sample per `intervalS`, oldest first; the last sample is
   * the current demand. Any length >= 1.
   */
  readonly utilizationHistory: ArrayLike<number>;
  /** A VM already being migrated can be neither selected nor counted twice. */
  readonly migrating: boolean;
  /** Simulated or wall time (s) at which the VM last arrived on a host by migration, if ever. */
  readonly lastMigratedAtS?: number;
  /** Measured page-write rate (MiB/s), when the node agent reports one; the migration predictor uses it. */
  readonly dirtyRateMiBps?: number;
}

/** Traffic between two VMs (e.g. Mbit/s, any consistent unit), as @ferry/placement takes it. */
export type TrafficRow = readonly [vmA: string, vmB: string, rate: number];

export interface ClusterSnapshot {
  readonly timeS: number;
  /** Spacing of the utilisation samples. */
  readonly intervalS: number;
  readonly hosts: readonly HostSnapshot[];
  /**
   * VMs grouped by host in arrival order: rules that break ties "by the first VM on the host" (CloudSim's
   * MMT, MU) follow this order.
   */
  readonly vms: readonly VmSnapshot[];
  /**
   * Traffic between VMs, when the cluster measures it (PlanetLab traces have none). Ferry's target choice then
   * prefers hosts near a VM's peers, weighed against energy and balance.
   */
  readonly traffic?: readonly TrafficRow[];
}
