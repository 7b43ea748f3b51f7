import { describe, expect, it } from "vitest";
import { cluster, flat, g5, vm } from "../fixtures/cluster";
import { memoryOverBandwidth } from "../migration-cost/memory-over-bandwidth";
import { createRng } from "@ferry/random";
import { createPolicy } from "../registry";
import { ferry } from "./ferry";

const costModel = memoryOverBandwidth();
const moves = (plan: { moves: readonly { vmId: string; fromHostId: string; toHostId: string; reason: string }[] }) =>
  plan.moves.map((m) => `${m.vmId}: ${m.fromHostId} -> ${m.toHostId} (${m.reason})`);

/**
 * Scenario "one hot host": h0 runs two 2500-MIPS VMs at 90 % (4500 of 5320 MIPS, 84.6 %), h1 one
 * 1000-MIPS VM at 10 %, h2 is switched off.
 */
const hotHost = (overrides: { v2LastMigratedAtS?: number; v0u?: number; extra?: boolean } = {}) =>
  cluster(
    [g5("h0"), g5("h1"), g5("h2", { poweredOn: false })],
    [
      vm("v0", "h0", flat(overrides.v0u ?? 0.9, 12), { mips: 2500, memMiB: 1740 }),
      vm("v1", "h0", flat(overrides.v0u ?? 0.9, 12), { mips: 2500, memMiB: 870 }),
      ...(overrides.extra ? [vm("v3", "h0", flat(0.5, 12), { memMiB: 870 })] : []),
      vm("v2", "h1", flat(0.1, 12), overrides.v2LastMigratedAtS === undefined ? {} : { lastMigratedAtS: overrides.v2LastMigratedAtS }),
    ],
  );

describe("THR-MMT (CloudSim semantics) on 'one hot host'", () => {
  const plan = createPolicy("thr-mmt", { costModel }).strategy.plan(hotHost(), createRng(1));
  it("moves the smallest-memory VM off the host above 80 %, to the cheapest host in watts", () => {
    // PABFD: h1 would go from 94.3 W to 112.5 W (+18.2), idle h2 from 93.7 W to 111.4 W (+17.7): h2 wins,
    // because CloudSim charges a switched-off host its idle power as the starting point.
    expect(moves(plan)).toEqual(["v1: h0 -> h2 (host-overloaded)"]);
    expect(plan.switchOn).toEqual(["h2"]);
  });
  it("does not empty h1: switched-off and overloaded hosts are not targets, and h1 itself was tried", () => {
    expect(plan.findings.map((f) => `${f.hostId} ${f.kind}`)).toEqual(["h0 overloaded", "h1 underloaded-kept"]);
  });
  it("explains each move with the detector's verdict", () => {
    expect(plan.moves[0]!.detail).toMatch(/thr-0.8: utilisation 84.6% vs threshold 80.0%/);
    expect(plan.moves[0]!.expectedDurationMs).toBeCloseTo(13_920, 6);
  });
});

describe("Ferry on 'one hot host'", () => {
  const strategy = ferry("ferry", costModel);
  it("leaves a host at 85 % alone (forecast peak below capacity) and empties the near-idle host onto it", () => {
    // h0: levels 2 x 2250, spread floor 2 % of 2500 = 50 each, peak 4500 + 0.5 sqrt(2 x 50^2) = 4535 (85.3 %)
    const plan = strategy.plan(hotHost(), createRng(1));
    expect(moves(plan)).toEqual(["v2: h1 -> h0 (host-underloaded)"]);
    expect(plan.switchOff).toEqual(["h1"]);
    expect(plan.switchOn).toEqual([]);
  });
  it("holds a VM that arrived less than an hour ago", () => {
    const plan = strategy.plan(hotHost({ v2LastMigratedAtS: 3000 - 600 }), createRng(1));
    expect(plan.moves).toEqual([]);
  });
  it("relieves a host asked for more than its capacity, moving the most relief per migration second", () => {
    // h0: 2500 + 2500 + 500 = 5500 > 5320. v1 (2500 MIPS of relief in 13.9 s) beats v0 (27.8 s) and v3 (500)
    const plan = strategy.plan(hotHost({ v0u: 1, extra: true }), createRng(1));
    expect(moves(plan)[0]).toBe("v1: h0 -> h1 (host-overloaded)");
    expect(plan.findings[0]!.kind).toBe("overloaded");
  });
});

describe("registry", () => {
  it.each([
    { name: "unknown detector", policy: "xyz-mmt", message: /unknown policy "xyz-mmt"/ },
    { name: "unknown selection", policy: "lr-abc", message: /unknown policy "lr-abc"/ },
    { name: "too many parts", policy: "lr-mmt-x", message: /unknown policy/ },
  ])("$name", ({ policy, message }) => {
    expect(() => createPolicy(policy, { costModel })).toThrow(message);
  });
  it.each([
    { policy: "thr-mmt", safety: 0.8 },
    { policy: "iqr-mc", safety: 1.5 },
    { policy: "mad-rs", safety: 2.5 },
    { policy: "lr-mu", safety: 1.2 },
    { policy: "lrr-mmt", safety: 1.2 },
  ])("$policy defaults to safety $safety", ({ policy, safety }) => {
    expect(createPolicy(policy, { costModel }).safety).toBe(safety);
  });
  it("rejects --safety for policies without a detector", () => {
    expect(() => createPolicy("npa", { costModel, safety: 1 })).toThrow(/no detector/);
  });
});

/**
 * Scenario "two to place": h0 is over 80 % (2500 + 900 + 900 = 4300 of 5320 MIPS) and gives up its two
 * small-memory VMs; h1 and h2 are switched off.
 */
const twoToPlace = () =>
  cluster(
    [g5("h0"), g5("h1", { poweredOn: false }), g5("h2", { poweredOn: false })],
    [
      vm("v0", "h0", flat(1, 12), { mips: 2500, memMiB: 1740 }),
      vm("v1", "h0", flat(0.9, 12), { memMiB: 613 }),
      vm("v2", "h0", flat(0.9, 12), { memMiB: 613 }),
      vm("v3", "h0", flat(0.9, 12), { memMiB: 613 }),
    ],
  );

describe("PABFD counts the VMs it has already placed in the round (CloudSim 3.0.3)", () => {
  it("wakes a second idle host rather than stacking on the one it just woke", () => {
    // v1 -> h1: +6.1 W on an idle G5. For v2, h1 now holds 900 MIPS: +13.2 W there, +6.1 W on idle h2.
    const plan = createPolicy("thr-mmt", { costModel }).strategy.plan(twoToPlace(), createRng(1));
    expect(moves(plan)).toEqual(["v1: h0 -> h1 (host-overloaded)", "v2: h0 -> h2 (host-overloaded)"]);
    expect(plan.switchOn).toEqual(["h1", "h2"]);
  });
});

/**
 * Scenario "target then emptied": h0 gives up v1 (900 MIPS); the cheapest target is the nearly idle h1
 * (one VM at 100 MIPS), which is then the least utilised host of the round.
 */
const targetThenEmptied = () =>
  cluster(
    [g5("h0"), g5("h1"), g5("h2")],
    [
      vm("v0", "h0", flat(1, 12), { mips: 2500, memMiB: 1740 }),
      vm("v1", "h0", flat(0.9, 12), { memMiB: 613 }),
      vm("v2", "h0", flat(0.9, 12), { memMiB: 870 }),
      vm("v3", "h1", flat(0.2, 12), { mips: 500, memMiB: 613 }),
      vm("v4", "h2", flat(0.5, 12), { memMiB: 1740 }),
    ],
  );

describe("hosts that just took VMs from overloaded hosts as underload sources", () => {
  it("are not emptied in the same round by default (as CloudSim's comment intends)", () => {
    const plan = createPolicy("thr-mmt", { costModel }).strategy.plan(targetThenEmptied(), createRng(1));
    expect(moves(plan)).toEqual(["v1: h0 -> h1 (host-overloaded)", "v4: h2 -> h1 (host-underloaded)"]);
  });
  it("are emptied with cloudSimQuirks, moving the VM twice from its host (as CloudSim 3.0.3 does)", () => {
    const plan = createPolicy("thr-mmt", { costModel, cloudSimQuirks: true }).strategy.plan(targetThenEmptied(), createRng(1));
    expect(moves(plan)).toEqual([
      "v1: h0 -> h1 (host-overloaded)",
      "v1: h0 -> h2 (host-underloaded)",
      "v3: h1 -> h2 (host-underloaded)",
    ]);
    expect(plan.switchOff).toEqual(["h1"]);
  });
});
