import type { Heartbeat, HostedVm } from "@ferry/protocol";
import type { HostProbe } from "./host-probe";

export interface SimulatedHost {
  capacity: { cpu: number; memMiB: number };
  power: { idleWatts: number; peakWatts: number };
}

/** A stable number in [0, 1) from a string: each VM keeps its own load shape across restarts. */
function unit(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_003) / 1_000_003;
}

/**
 * Load of a simulated host from the VMs on it. Each VM runs a daily-shaped CPU load (a base plus a sine
 * with its own phase and period) and uses most of its memory; network traffic scales with CPU load. Power
 * is linear in CPU load between idle and peak watts, the usual server power model.
 */
export class SimulatedHostProbe implements HostProbe {
  constructor(private readonly host: SimulatedHost) {}

  sample(vms: readonly HostedVm[], atMs: number): Heartbeat {
    let cpuUsed = 0;
    let memUsed = 0;
    let netMbps = 0;
    for (const vm of vms) {
      const base = 0.15 + 0.35 * unit(vm.id, 1);
      const swing = 0.25 * unit(vm.id, 2);
      const periodMs = 5 * 60_000 * (1 + 3 * unit(vm.id, 3));
      const phase = 2 * Math.PI * unit(vm.id, 4);
      const load = Math.min(1, Math.max(0, base + swing * Math.sin((2 * Math.PI * atMs) / periodMs + phase)));
      cpuUsed += vm.cpu * load;
      memUsed += vm.memMiB * (0.6 + 0.3 * unit(vm.id, 5));
      netMbps += 50 * vm.cpu * load;
    }
    const cpuLoad = Math.min(1, cpuUsed / this.host.capacity.cpu);
    const { idleWatts, peakWatts } = this.host.power;
    return {
      cpuLoad,
      memLoad: Math.min(1, memUsed / this.host.capacity.memMiB),
      watts: vms.length === 0 ? idleWatts : idleWatts + (peakWatts - idleWatts) * cpuLoad,
      netTxMbps: netMbps / 2,
      netRxMbps: netMbps / 2,
    };
  }
}
