import { describe, expect, it } from "vitest";
import { cluster, g4, g5, vm } from "../fixtures/cluster";
import { memoryOverBandwidth } from "../migration-cost/memory-over-bandwidth";
import { ClusterModel } from "./cluster-model";
import { PoliciesError } from "./errors";
import type { TrafficRow } from "./snapshot";

const model = (...args: Parameters<typeof cluster>) => new ClusterModel(cluster(...args), memoryOverBandwidth());

describe("host history as CloudSim builds it", () => {
  // G5: 5320 MIPS. a: 1000 MIPS, b: 2660 MIPS. Newest first: (0.2*1000 + 0.5*2660) / 5320, ...
  const m = model([g5("h0")], [vm("a", "h0", [0, 0.1, 0.2]), vm("b", "h0", [0, 0.4, 0.5], { mips: 2660 })]);
  it("sums the VMs' histories weighted by VM MIPS / host MIPS, newest first, oldest zeros trimmed", () => {
    const load = m.hostLoad(0);
    expect(load.historyLength).toBe(2);
    expect(load.history[0]).toBeCloseTo((0.2 * 1000 + 0.5 * 2660) / 5320, 12);
    expect(load.history[1]).toBeCloseTo((0.1 * 1000 + 0.4 * 2660) / 5320, 12);
    expect(load.utilization).toBeCloseTo((200 + 1330) / 5320, 12);
  });
  it("adds a candidate VM without moving it ('after allocation')", () => {
    const n = model([g5("h0"), g5("h1")], [vm("a", "h0", [0.5, 0.5]), vm("c", "h1", [0.3, 0.1, 0.2])]);
    const after = n.hostLoad(0, 1);
    expect(after.historyLength).toBe(3);
    expect(after.history[0]).toBeCloseTo((0.5 * 1000 + 0.2 * 1000) / 5320, 12);
    expect(after.history[2]).toBeCloseTo((0.3 * 1000) / 5320, 12);
    expect(n.hostLoad(0).historyLength).toBe(2);
  });
  it("the longest migration on the host is what LR looks ahead by", () => {
    const n = model([g5("h0")], [vm("a", "h0", [0.5], { memMiB: 613 }), vm("b", "h0", [0.5], { memMiB: 1740 })]);
    expect(n.hostLoad(0).maxMigrationTimeS()).toBeCloseTo(27.84, 9);
  });
});

describe("fit (CloudSim's isSuitableForVm on current demand)", () => {
  it.each([
    // 2500-MIPS VM at 80 % = 2000 MIPS per vCPU: more than a G4 core (1860)
    { name: "a vCPU larger than a core does not fit", host: g4("h"), vmMips: 2500, u: 0.8, want: false },
    // at 70 %: 1750 <= 1860
    { name: "the same VM at 70 % fits", host: g4("h"), vmMips: 2500, u: 0.7, want: true },
    { name: "G5 cores take it", host: g5("h"), vmMips: 2500, u: 0.8, want: true },
  ])("$name", ({ host, vmMips, u, want }) => {
    const m = model([host, g5("src")], [vm("v", "src", [u], { mips: vmMips })]);
    expect(m.fits(0, 0)).toBe(want);
  });
  it("a VM capped at one core leaves the rest free", () => {
    // one vCPU of 3000 MIPS on a G4 gets one core (1860): 1860 MIPS stay free
    const m = model([g4("h0"), g5("h1")], [vm("big", "h0", [1], { mips: 3000 }), vm("v", "h1", [0.8])]);
    expect(m.availableMips(0)).toBe(1860);
  });
  it("free MIPS are capacity minus what the VMs there get", () => {
    // G4 3720 MIPS with a 2-vCPU VM using 3000: a 1000-MIPS VM at 80 % (800) does not fit, at 70 % (700) it does
    const m = model([g4("h0"), g5("h1")], [vm("big", "h0", [1], { mips: 3000, vcpus: 2 }), vm("v", "h1", [0.8]), vm("w", "h1", [0.7])]);
    expect(m.fits(1, 0)).toBe(false);
    expect(m.fits(2, 0)).toBe(true);
  });
});

const withTraffic = (traffic: TrafficRow[]) =>
  new ClusterModel({ ...cluster([g5("h0")], [vm("a", "h0", [0.1]), vm("b", "h0", [0.1])]), traffic }, memoryOverBandwidth());

describe("traffic", () => {
  it("lists each VM's peers both ways; rows for the same pair add entries, zero rates and self-traffic none", () => {
    const m = withTraffic([["a", "b", 10], ["b", "a", 5], ["a", "a", 7], ["a", "b", 0]]);
    expect(m.vmPeers[0]).toEqual([{ vm: 1, rate: 10 }, { vm: 1, rate: 5 }]);
    expect(m.vmPeers[1]).toEqual([{ vm: 0, rate: 10 }, { vm: 0, rate: 5 }]);
  });
});

describe("snapshot validation", () => {
  it.each([
    { name: "unknown host", build: () => model([g5("h0")], [vm("v", "hX", [0.1])]), message: /unknown host hX/ },
    { name: "duplicate VM", build: () => model([g5("h0")], [vm("v", "h0", [0.1]), vm("v", "h0", [0.2])]), message: /duplicate vm id v/ },
    { name: "duplicate host", build: () => model([g5("h0"), g5("h0")], []), message: /duplicate host id h0/ },
    { name: "empty history", build: () => model([g5("h0")], [vm("v", "h0", [])]), message: /history is empty/ },
    { name: "traffic to an unknown VM", build: () => withTraffic([["a", "zz", 10]]), message: /traffic\[0\]: unknown vm zz/ },
    { name: "negative traffic", build: () => withTraffic([["a", "b", -1]]), message: /traffic\[0\]: rate must be .* >= 0, got -1/ },
  ])("$name", ({ build, message }) => {
    expect(build).toThrow(PoliciesError);
    expect(build).toThrow(message);
  });
});
