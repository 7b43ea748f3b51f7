import { describe, expect, it } from "vitest";
import { cluster, flat, g5, vm } from "../fixtures/cluster";
import { memoryOverBandwidth } from "../migration-cost/memory-over-bandwidth";
import { ClusterModel } from "../model/cluster-model";
import { createRng } from "@ferry/random";
import type { VmSnapshot } from "../model/snapshot";
import { mc, multipleCorrelations } from "./mc";
import { mmt } from "./mmt";
import { mu } from "./mu";
import { rs } from "./rs";

function host(vms: VmSnapshot[]): ClusterModel {
  return new ClusterModel(cluster([g5("h0")], vms), memoryOverBandwidth());
}
const pick = (model: ClusterModel, vmIndex: number): string => model.vmIds[vmIndex]!;

describe("MMT", () => {
  it.each([
    { name: "least RAM wins", rams: [1740, 613, 870], want: "v1" },
    { name: "ties go to the VM that arrived first", rams: [1740, 613, 870, 613], want: "v1" },
    { name: "a migrating VM is skipped", rams: [1740, 613, 870], migrating: "v1", want: "v2" },
  ])("$name", ({ rams, migrating, want }) => {
    const model = host(rams.map((memMiB, i) => vm(`v${i}`, "h0", [0.5], { memMiB, migrating: `v${i}` === migrating })));
    expect(pick(model, mmt().select(model, 0, createRng(1)))).toBe(want);
  });
  it("returns -1 on an empty host", () => {
    const model = new ClusterModel(cluster([g5("h0")], []), memoryOverBandwidth());
    expect(mmt().select(model, 0, createRng(1))).toBe(-1);
  });
});

describe("MU", () => {
  it.each([
    { name: "lowest utilisation of its own capacity", now: [0.5, 0.2, 0.9], want: "v1" },
    { name: "first on ties", now: [0.5, 0.2, 0.2, 0.9], want: "v1" },
    // v0 uses 400 of 500 MIPS (80 %), v1 600 of 2500 (24 %): MU looks at the share, not the MIPS
    { name: "share, not absolute MIPS", now: [0.8, 0.24], mips: [500, 2500], want: "v1" },
  ])("$name", ({ now, mips, want }) => {
    const model = host(now.map((u, i) => vm(`v${i}`, "h0", [0.1, u], { mips: mips?.[i] ?? 1000 })));
    expect(pick(model, mu().select(model, 0, createRng(1)))).toBe(want);
  });
});

describe("RS", () => {
  const model = host([0, 1, 2, 3].map((i) => vm(`v${i}`, "h0", [0.5], { migrating: i === 2 })));
  it("is reproducible from the seed", () => {
    const draws = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rs().select(model, 0, rng));
    };
    expect(draws(7)).toEqual(draws(7));
  });
  it("picks every movable VM and never a migrating one", () => {
    const rng = createRng(3);
    const seen = new Set(Array.from({ length: 200 }, () => pick(model, rs().select(model, 0, rng))));
    expect([...seen].sort()).toEqual(["v0", "v1", "v3"]);
  });
});

describe("MC", () => {
  it("R^2 is 1 for exactly dependent series and about 0 for an unrelated one", () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const y = Float64Array.from([3, 5, 7, 9, 11, 13]); // 2x + 1
    const z = Float64Array.from([1, -1, 1, -1, 1, -1]);
    const r2 = multipleCorrelations([x, y, z], 6);
    expect(r2[0]).toBeCloseTo(1, 6);
    expect(r2[1]).toBeCloseTo(1, 6);
    // z against x and y: the alternating series has almost no linear relation to a ramp
    expect(r2[2]).toBeLessThan(0.2);
  });
  it("moves the VM best explained by the others", () => {
    // v1 tracks v2 closely; v0 and v3 are unrelated to anything
    const a = [0.1, 0.5, 0.2, 0.6, 0.3, 0.7, 0.2, 0.5, 0.1, 0.4, 0.3, 0.6];
    const noise = [0.01, -0.02, 0.015, 0, -0.01, 0.02, -0.015, 0.01, 0, -0.02, 0.01, 0];
    const model = host([
      vm("v0", "h0", [0.3, 0.3, 0.31, 0.3, 0.29, 0.3, 0.3, 0.31, 0.3, 0.3, 0.29, 0.3]),
      vm("v1", "h0", a.map((u, i) => u + noise[i]!)),
      vm("v2", "h0", a),
      vm("v3", "h0", [0.9, 0.1, 0.1, 0.9, 0.5, 0.5, 0.1, 0.9, 0.2, 0.8, 0.4, 0.6]),
    ]);
    expect(["v1", "v2"]).toContain(pick(model, mc(mmt()).select(model, 0, createRng(1))));
  });
  it("falls back to MMT when there are not more samples than VMs", () => {
    // 3 VMs, 3 samples: no degrees of freedom; MMT picks the 613 MiB VM
    const model = host([
      vm("v0", "h0", [0.1, 0.2, 0.3], { memMiB: 1740 }),
      vm("v1", "h0", [0.3, 0.2, 0.1], { memMiB: 613 }),
      vm("v2", "h0", [0.2, 0.2, 0.2], { memMiB: 870 }),
    ]);
    expect(pick(model, mc(mmt()).select(model, 0, createRng(1)))).toBe("v1");
  });
  it("uses only the common part of the histories", () => {
    const model = host([vm("v0", "h0", flat(0.2, 30), { memMiB: 870 }), vm("v1", "h0", [0.4, 0.5], { memMiB: 613 })]);
    // 2 common samples for 2 VMs: falls back to MMT
    expect(pick(model, mc(mmt()).select(model, 0, createRng(1)))).toBe("v1");
  });
});
