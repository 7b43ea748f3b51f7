import type { Heartbeat, HostedVm, NodeHealth, VmUsage } from "@ferry/protocol";
import type { HostProbe } from "./host-probe";
import { linearWatts, type PowerModel } from "./linear-power";
import type { TraceLibrary } from "./workload/trace-library";
import { activity } from "./workload/workload-model";

/** A degrading host, for tests and demos: ECC errors that keep rising, or a host running hot. */
export const SIMULATED_FAULTS = ["none", "memory-errors", "overheat"] as const;
export type SimulatedFault = (typeof SIMULATED_FAULTS)[number];

export interface SimulatedHost {
  capacity: { cpu: number; memMiB: number };
  power: PowerModel;
  /** The fault the host has, and since when (ms since epoch). */
  fault?: { kind: SimulatedFault; sinceMs: number };
}

/** A faulty host's DIMM corrects this many errors per second; a healthy one none. */
const FAULT_ERRORS_PER_S = 1;
/** An overheating host's hottest sensor; a healthy one runs between these two with its CPU load. */
const OVERHEAT_C = 95;
const IDLE_C = 35;
const FULL_LOAD_C = 70;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Usage of a simulated host from the workloads of the VMs on it. Each VM's CPU follows its workload (a
 * constant level or a replayed trace); it keeps `memFraction` of its memory in use; its dirty rate and the
 * traffic to each peer are its configured figures scaled by its activity (CPU against the workload's mean).
 * A pair's configured rate covers both directions, so each side sends half of it. The node's CPU and memory
 * load are the VMs' sums over its capacity, its power is linear in CPU load between idle and peak watts (the
 * usual server model), and its network counts only traffic to and from peers on other nodes; what it
 * receives is what those peers send by their own workloads. Its health is steady (no corrected memory errors,
 * a temperature that follows CPU load) unless it was given a fault.
 */
export class SimulatedHostProbe implements HostProbe {
  constructor(
    private readonly host: SimulatedHost,
    private readonly workloads: TraceLibrary,
  ) {}

  sample(vms: readonly HostedVm[], atMs: number): Heartbeat {
    const here = new Set(vms.map((vm) => vm.id));
    let cpuUsed = 0;
    let memUsed = 0;
    let txMbps = 0;
    let rxMbps = 0;
    const usage: VmUsage[] = [];
    for (const vm of vms) {
      const model = this.workloads.model(vm.workload);
      const cpuFraction = model.cpuFraction(atMs);
      const busy = activity(model, atMs);
      const peerTxMbps: Record<string, number> = {};
      for (const peer of vm.peers) {
        const tx = (peer.rateMbps / 2) * busy;
        peerTxMbps[peer.vmId] = round3(tx);
        if (here.has(peer.vmId)) continue;
        txMbps += tx;
        rxMbps += (peer.rateMbps / 2) * activity(this.workloads.model(peer.workload), atMs);
      }
      cpuUsed += vm.cpu * cpuFraction;
      memUsed += vm.memMiB * model.memFraction;
      usage.push({
        vmId: vm.id,
        cpuFraction: round3(cpuFraction),
        memUsedMiB: round3(vm.memMiB * model.memFraction),
        dirtyRateMiBps: round3(vm.dirtyRateMiBps * busy),
        peerTxMbps,
      });
    }
    const cpuLoad = Math.min(1, cpuUsed / this.host.capacity.cpu);
    return {
      cpuLoad,
      memLoad: Math.min(1, memUsed / this.host.capacity.memMiB),
      watts: linearWatts(this.host.power, cpuLoad),
      netTxMbps: round3(txMbps),
      netRxMbps: round3(rxMbps),
      power: "on",
      health: this.health(cpuLoad, atMs),
      vms: usage,
    };
  }

  private health(cpuLoad: number, atMs: number): NodeHealth {
    const fault = this.host.fault;
    const faultyForS = fault ? Math.max(0, (atMs - fault.sinceMs) / 1000) : 0;
    return {
      correctedMemoryErrors: fault?.kind === "memory-errors" ? Math.floor(faultyForS * FAULT_ERRORS_PER_S) : 0,
      temperatureC: fault?.kind === "overheat" ? OVERHEAT_C : Math.round((IDLE_C + (FULL_LOAD_C - IDLE_C) * cpuLoad) * 10) / 10,
    };
  }
}
