import type { Link, MigratingVm, MigrationCostModel } from "./migration-cost";

/**
 * CloudSim's model (PowerDatacenter): migration time = RAM / (bandwidth / 2). Half the link carries the
 * migration, the other half the VMs' own traffic; 1740 MiB over 1 Gbit/s takes 27.84 s. Like CloudSim it
 * treats a MiB as 8 Mbit and ignores dirty pages.
 */
export function memoryOverBandwidth(migrationShare = 0.5): MigrationCostModel {
  return {
    name: "memory-over-bandwidth",
    migrationTimeMs(vm: MigratingVm, link: Link): number {
      return (vm.memMiB * 8 * 1000) / (link.bandwidthMbps * migrationShare);
    },
  };
}
