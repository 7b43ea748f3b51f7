import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from "../power/hp-proliant";
import type { PowerModel } from "../power/power-model";

export interface HostSpec {
  readonly name: string;
  readonly cores: number;
  readonly mipsPerCore: number;
  readonly memMiB: number;
  readonly bandwidthMbps: number;
  readonly powerModel: PowerModel;
}

export interface VmSpec {
  readonly vcpus: number;
  readonly mips: number;
  readonly memMiB: number;
  readonly bandwidthMbps: number;
}

/**
 * CloudSim's PlanetLab set-up (examples/power/Constants and Helper): hosts alternate HP ProLiant ML110
 * G4 (2 x 1860 MIPS) and G5 (2 x 2660 MIPS), 4 GiB, 1 Gbit/s; VMs are the four EC2-like types below.
 */
export const HOST_TYPES: readonly HostSpec[] = [
  { name: "ml110-g4", cores: 2, mipsPerCore: 1860, memMiB: 4096, bandwidthMbps: 1000, powerModel: HP_PROLIANT_ML110_G4 },
  { name: "ml110-g5", cores: 2, mipsPerCore: 2660, memMiB: 4096, bandwidthMbps: 1000, powerModel: HP_PROLIANT_ML110_G5 },
];

export const VM_TYPES: readonly VmSpec[] = [
  { vcpus: 1, mips: 2500, memMiB: 870, bandwidthMbps: 100 },
  { vcpus: 1, mips: 2000, memMiB: 1740, bandwidthMbps: 100 },
  { vcpus: 1, mips: 1000, memMiB: 1740, bandwidthMbps: 100 },
  { vcpus: 1, mips: 500, memMiB: 613, bandwidthMbps: 100 },
];

export const PLANETLAB_HOSTS = 800;
export const SCHEDULING_INTERVAL_S = 300;

/** Host i is of type i % 2, as CloudSim's Helper.createHostList. */
export function planetLabHosts(count: number): HostSpec[] {
  return Array.from({ length: count }, (_, i) => HOST_TYPES[i % HOST_TYPES.length]!);
}

/**
 * How VM types are dealt to the (name-sorted) trace files.
 *  - "cloudsim" (default): contiguous quarters, VM i gets type i / ceil(n / 4), as CloudSim's
 *    Helper.createVmList does (over File.listFiles() order, which is unspecified).
 *  - "round-robin": VM i gets type i % 4. Each type still gets a quarter, but creation then interleaves
 *    small VMs among the big ones and the initial placement runs out of G5 hosts for the 2000/2500-MIPS
 *    VMs on the two largest days (224 VMs of 20110322 find no host with 800 hosts).
 */
export type VmTypeAssignment = "cloudsim" | "round-robin";

export function planetLabVms(count: number, assignment: VmTypeAssignment = "cloudsim"): VmSpec[] {
  const quarter = Math.ceil(count / VM_TYPES.length);
  return Array.from({ length: count }, (_, i) =>
    VM_TYPES[assignment === "round-robin" ? i % VM_TYPES.length : Math.floor(i / quarter)]!,
  );
}
