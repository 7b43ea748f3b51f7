import { describe, expect, it } from "vitest";
import { CLOUDSIM_3_0_3_REFERENCE, type CloudSimReferenceRow } from "./cloudsim-3-0-3";
import { compareWithCloudSim, comparisonTable, type ComparedRun } from "./compare";

const row: CloudSimReferenceRow = {
  day: "d1",
  policy: "lr-mmt",
  safety: 1.2,
  energyKWh: 100,
  migrations: 1000,
  slatahPct: 5,
  pdmPct: 0.1,
  slav: 5e-5,
  esv: 5e-3,
};
const run = (overrides: Partial<ComparedRun> = {}): ComparedRun => ({
  day: "d1",
  policy: "lr-mmt",
  energyKWh: 100,
  migrations: 1000,
  slatahPct: 5,
  pdmPct: 0.1,
  slav: 5e-5,
  esv: 5e-3,
  ...overrides,
});

describe("compareWithCloudSim", () => {
  it.each([
    { name: "identical", ours: run(), outside: [] },
    { name: "energy just inside 5 %", ours: run({ energyKWh: 104.9 }), outside: [] },
    { name: "energy outside 5 %", ours: run({ energyKWh: 94 }), outside: ["energyKWh"] },
    { name: "migrations outside 10 %", ours: run({ migrations: 1101 }), outside: ["migrations"] },
    { name: "SLAV outside 15 %", ours: run({ slav: 4.2e-5 }), outside: ["slav"] },
    { name: "SLATAH and PDM have no tolerance", ours: run({ slatahPct: 9, pdmPct: 0.5 }), outside: [] },
  ])("$name", ({ ours, outside }) => {
    const [result] = compareWithCloudSim([row], [ours]);
    expect(result!.outside).toEqual(outside);
  });
  it("gives relative differences, and none where CloudSim prints no figure", () => {
    const dvfs: CloudSimReferenceRow = { day: "d1", policy: "dvfs", energyKWh: 500, migrations: 0 };
    const [result] = compareWithCloudSim([dvfs], [run({ policy: "dvfs", energyKWh: 510, migrations: 0, slav: 0 })]);
    expect(result!.metrics.energyKWh.relative).toBeCloseTo(0.02, 12);
    expect(result!.metrics.migrations.relative).toBe(0);
    expect(result!.metrics.slav.relative).toBeUndefined();
    expect(comparisonTable([result!])).toMatch(/\| d1 \| dvfs \| 510\.00 \/ 500\.00 \(\+2\.0 %\) \| 0 \/ 0 \(\+0\.0 %\) \|/);
  });
  it("refuses a reference row without a run", () => {
    expect(() => compareWithCloudSim([row], [])).toThrow(/no run of lr-mmt on d1/);
  });
});

describe("the CloudSim 3.0.3 table", () => {
  it("has every policy of issue 12 on both days, with ESV = energy x SLAV as CloudSim printed it", () => {
    for (const day of ["20110303", "20110306"]) {
      expect(CLOUDSIM_3_0_3_REFERENCE.filter((r) => r.day === day).map((r) => r.policy).sort()).toEqual(
        day === "20110303"
          ? ["dvfs", "iqr-mmt", "lr-mc", "lr-mmt", "mad-mmt", "npa", "thr-mmt"]
          : ["dvfs", "iqr-mmt", "lr-mc", "lr-mmt", "mad-mmt", "thr-mmt"],
      );
    }
    for (const r of CLOUDSIM_3_0_3_REFERENCE) {
      if (r.slav !== undefined) expect(Math.abs(r.energyKWh * r.slav - r.esv!) / r.esv!).toBeLessThan(0.01);
    }
  });
});
