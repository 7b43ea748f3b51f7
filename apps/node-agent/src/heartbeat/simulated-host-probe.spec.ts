import { describe, expect, it } from "vitest";
import { SimulatedHostProbe } from "./simulated-host-probe";

const host = { capacity: { cpu: 16, memMiB: 65536 }, power: { idleWatts: 100, peakWatts: 300 } };
const vm = (id: string, cpu = 4, memMiB = 8192) => ({ id, name: id, cpu, memMiB, dirtyRateMiBps: 0 });
const ids = ["9f1c2d3e-0000-4000-8000-000000000001", "9f1c2d3e-0000-4000-8000-000000000002"];

describe("SimulatedHostProbe", () => {
  it.each([
    { name: "an empty host idles", vms: [] },
    { name: "one VM", vms: [vm(ids[0]!)] },
    { name: "two VMs", vms: [vm(ids[0]!), vm(ids[1]!, 8, 16384)] },
  ])("$name: loads in [0, 1] and watts between idle and peak", ({ vms }) => {
    const hb = new SimulatedHostProbe(host).sample(vms, 1_700_000_000_000);
    expect(hb.cpuLoad).toBeGreaterThanOrEqual(0);
    expect(hb.cpuLoad).toBeLessThanOrEqual(1);
    expect(hb.memLoad).toBeLessThanOrEqual(1);
    expect(hb.watts).toBeGreaterThanOrEqual(100);
    expect(hb.watts).toBeLessThanOrEqual(300);
    if (vms.length === 0) expect(hb).toEqual({ cpuLoad: 0, memLoad: 0, watts: 100, netTxMbps: 0, netRxMbps: 0 });
  });

  it("is a pure function of the VMs and the time", () => {
    const probe = new SimulatedHostProbe(host);
    const vms = [vm(ids[0]!), vm(ids[1]!)];
    expect(probe.sample(vms, 42_000)).toEqual(probe.sample(vms, 42_000));
  });

  it("more VMs mean more load and more watts", () => {
    const probe = new SimulatedHostProbe(host);
    const one = probe.sample([vm(ids[0]!)], 0);
    const two = probe.sample([vm(ids[0]!), vm(ids[1]!)], 0);
    expect(two.cpuLoad).toBeGreaterThan(one.cpuLoad);
    expect(two.watts).toBeGreaterThan(one.watts);
  });
});
