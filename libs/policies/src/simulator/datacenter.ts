import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from "../power/hp-proliant";
import type { PowerModel } from "../power/power-model";

export interface HostSpec {
  readonly name: string;
  readonly cores: number;
  readonly mipsPerCore: number;
  readonly ramMiB: number;
  readonly bandwidthMbps: number;
  readonly powerModel: PowerModel;
}

export interface VmSpec {
  readonly vcpus: number;
  readonly mips: number;
  readonly ramMiB: number;
  readonly bandwidthMbps: number;
}

/**
 * CloudSim's PlanetLab set-up (examples/power/Constants and Helper): hosts alternate HP ProLiant ML110
 * G4 (2 x 1860 MIPS) and G5 (2 x 2660 MIPS), 4 GiB, 1 Gbit/s; VMs are the four EC2-like types below.
 */
export const HOST_TYPES: readonly HostSpec[] = [
  { name: "ml110-g4", cores: 2, mipsPerCore: 1860, ramMiB: 4096, bandwidthMbps: 1000, powerModel: HP_PROLIANT_ML110_G4 },
  { name: "ml110-g5", cores: 2, mipsPerCore: 2660, ramMiB: 4096, bandwidthMbps: 1000, powerModel: HP_PROLIANT_ML110_G5 },
];

export const VM_TYPES: readonly VmSpec[] = [
  { vcpus: 1, mips: 2500, ramMiB: 870, bandwidthMbps: 100 },
  { vcpus: 1, mips: 2000, ramMiB: 1740, bandwidthMbps: 100 },
  { vcpus: 1, mips: 1000, ramMiB: 1740, bandwidthMbps: 100 },
  { vcpus: 1, mips: 500, ramMiB: 613, bandwidthMbps: 100 },
];

export const PLANETLAB_HOSTS = 800;
export const SCHEDULING_INTERVAL_S = 300;

/** Host i is of type i % 2, as CloudSim's Helper.createHostList. */
export function planetLabHosts(count: number): HostSpec[] {
  return Array.from({ length: count }, (_, i) => HOST_TYPES[i % HOST_TYPES.length]!);
}

/**
 * VM i is of type i % 4: the issue asks for the four types taken in turn. (CloudSim's Helper.createVmList
 * assigns contiguous quarters, i / ceil(n / 4), over File.listFiles() order, which is unspecified; either
 * way each type gets a quarter of the VMs, paired with traces by an arbitrary order.)
 */
export function planetLabVms(count: number): VmSpec[] {
  return Array.from({ length: count }, (_, i) => VM_TYPES[i % VM_TYPES.length]!);
}
