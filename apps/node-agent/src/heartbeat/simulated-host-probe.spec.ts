import type { HostedVm, Workload } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { SimulatedHostProbe } from "./simulated-host-probe";
import { TraceLibrary } from "./workload/trace-library";
import { TRACE_INTERVAL_S } from "./workload/trace-workload";

const host = { capacity: { cpu: 16, memMiB: 65536 }, power: { idleWatts: 100, peakWatts: 300 } };
const ids = ["9f1c2d3e-0000-4000-8000-000000000001", "9f1c2d3e-0000-4000-8000-000000000002", "9f1c2d3e-0000-4000-8000-000000000003"];
const constant = (cpuFraction: number): Workload => ({ kind: "constant", cpuFraction, memFraction: 0.5 });
const vm = (id: string, workload: Workload, peers: HostedVm["peers"] = [], cpu = 4, memMiB = 8192): HostedVm => ({
  id,
  name: id,
  cpu,
  memMiB,
  dirtyRateMiBps: 100,
  workload,
  peers,
});
// "up" sits at 0.2 then 0.6 (mean 0.4); the probe is sampled on the second sample.
const library = new TraceLibrary(new Map([["up", [0.2, 0.6]]]), 1);
const at = TRACE_INTERVAL_S * 1000;
const probe = new SimulatedHostProbe(host, library);

describe("SimulatedHostProbe", () => {
  it("an empty host idles", () => {
    expect(probe.sample([], at)).toEqual({
      cpuLoad: 0,
      memLoad: 0,
      watts: 100,
      netTxMbps: 0,
      netRxMbps: 0,
      power: "on",
      health: { correctedMemoryErrors: 0, temperatureC: 35 },
      vms: [],
    });
  });

  it.each([
    // 4 vCPUs at 0.5 on 16 cores: 0.125 load; watts 100 + 200 * 0.125.
    { name: "a constant VM", vms: [vm(ids[0]!, constant(0.5))], cpuLoad: 0.125, watts: 125, vmCpu: 0.5, dirty: 100 },
    // The trace at 0.6 against its mean 0.4: activity 1.5, so dirty rate 150; 4 * 0.6 / 16 = 0.15 load.
    { name: "a VM replaying a trace", vms: [vm(ids[0]!, { kind: "trace", series: "up", memFraction: 0.5 })], cpuLoad: 0.15, watts: 130, vmCpu: 0.6, dirty: 150 },
  ])("$name: the node's load and watts follow from its VM's usage", ({ vms, cpuLoad, watts, vmCpu, dirty }) => {
    const hb = probe.sample(vms, at);
    expect(hb.cpuLoad).toBeCloseTo(cpuLoad, 12);
    expect(hb.watts).toBeCloseTo(watts, 9);
    expect(hb.memLoad).toBeCloseTo(4096 / 65536, 12);
    expect(hb.vms).toEqual([{ vmId: ids[0], cpuFraction: vmCpu, memUsedMiB: 4096, dirtyRateMiBps: dirty, peerTxMbps: {} }]);
  });

  it("CPU load is capped at the node's capacity", () => {
    const vms = [vm(ids[0]!, constant(1), [], 12), vm(ids[1]!, constant(1), [], 12)];
    const hb = probe.sample(vms, at);
    expect(hb.cpuLoad).toBe(1);
    expect(hb.watts).toBe(300);
  });

  it("traffic: each side sends half the pair's rate by its activity; the NIC sees only remote peers", () => {
    // vm0 (constant) talks to vm1 on this node (200 Mbps) and to vm2 elsewhere (400 Mbps), which replays "up".
    const vms = [
      vm(ids[0]!, constant(0.5), [
        { vmId: ids[1]!, rateMbps: 200, workload: constant(0.5) },
        { vmId: ids[2]!, rateMbps: 400, workload: { kind: "trace", series: "up", memFraction: 0.5 } },
      ]),
      vm(ids[1]!, constant(0.5), [{ vmId: ids[0]!, rateMbps: 200, workload: constant(0.5) }]),
    ];
    const hb = probe.sample(vms, at);
    expect(hb.vms[0]!.peerTxMbps).toEqual({ [ids[1]!]: 100, [ids[2]!]: 200 });
    expect(hb.vms[1]!.peerTxMbps).toEqual({ [ids[0]!]: 100 });
    expect(hb.netTxMbps).toBe(200);
    // vm2 sends 200 Mbps at activity 1.5.
    expect(hb.netRxMbps).toBe(300);
  });

  it.each([
    { name: "a healthy host", fault: undefined, errors: [0, 0], temperatureC: 35 },
    { name: "a host with failing memory", fault: { kind: "memory-errors" as const, sinceMs: 0 }, errors: [60, 120], temperatureC: 35 },
    { name: "an overheating host", fault: { kind: "overheat" as const, sinceMs: 0 }, errors: [0, 0], temperatureC: 95 },
  ])("$name reports its health: errors $errors a minute apart, $temperatureC °C", ({ fault, errors, temperatureC }) => {
    const sick = new SimulatedHostProbe({ ...host, ...(fault ? { fault } : {}) }, library);
    const [first, second] = [60_000, 120_000].map((t) => sick.sample([], t).health!);
    expect([first!.correctedMemoryErrors, second!.correctedMemoryErrors]).toEqual(errors);
    expect(second!.temperatureC).toBe(temperatureC);
  });

  it("is a pure function of the VMs and the time", () => {
    const vms = [vm(ids[0]!, { kind: "trace", series: "up", memFraction: 0.5 })];
    expect(probe.sample(vms, 42_000)).toEqual(probe.sample(vms, 42_000));
  });
});
