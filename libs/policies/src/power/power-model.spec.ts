import { describe, expect, it } from "vitest";
import { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from "./hp-proliant";
import { specPowerModel } from "./power-model";

describe("SPECpower curves", () => {
  it.each([
    // exact table points
    { name: "G4 idle", model: HP_PROLIANT_ML110_G4, u: 0, want: 86 },
    { name: "G4 50 %", model: HP_PROLIANT_ML110_G4, u: 0.5, want: 102 },
    { name: "G4 full", model: HP_PROLIANT_ML110_G4, u: 1, want: 117 },
    { name: "G5 idle", model: HP_PROLIANT_ML110_G5, u: 0, want: 93.7 },
    { name: "G5 30 %", model: HP_PROLIANT_ML110_G5, u: 0.3, want: 105 },
    { name: "G5 full", model: HP_PROLIANT_ML110_G5, u: 1, want: 135 },
    // interpolated: 5 % is half way between 86 and 89.4
    { name: "G4 5 %", model: HP_PROLIANT_ML110_G4, u: 0.05, want: 87.7 },
    // 74.4 % on G5: 125 + (129 - 125) * 0.44 = 126.76
    { name: "G5 74.4 %", model: HP_PROLIANT_ML110_G5, u: 0.744, want: 126.76 },
    // 13.44 % on G4: 89.4 + 3.2 * 0.344 = 90.5008
    { name: "G4 13.44 %", model: HP_PROLIANT_ML110_G4, u: 0.1344, want: 90.5008 },
  ])("$name", ({ model, u, want }) => {
    expect(model.powerW(u)).toBeCloseTo(want, 9);
  });

  it("is monotone over the whole range for both servers", () => {
    for (const model of [HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5]) {
      let previous = -Infinity;
      for (let i = 0; i <= 1000; i++) {
        const w = model.powerW(i / 1000);
        expect(w).toBeGreaterThanOrEqual(previous);
        previous = w;
      }
    }
  });

  it.each([-0.01, 1.0001, Number.NaN])("rejects utilisation %s", (u) => {
    expect(() => HP_PROLIANT_ML110_G4.powerW(u)).toThrow(/outside/);
  });

  it("rejects a curve without 11 points", () => {
    expect(() => specPowerModel("short", [1, 2, 3])).toThrow(/11 points/);
  });
});
