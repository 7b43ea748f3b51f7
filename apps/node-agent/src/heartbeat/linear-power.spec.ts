import { describe, expect, it } from "vitest";
import { linearWatts } from "./linear-power";

describe("linearWatts", () => {
  it.each([
    { cpuLoad: 0, watts: 100 },
    { cpuLoad: 0.25, watts: 150 },
    { cpuLoad: 1, watts: 300 },
  ])("draws $watts W at load $cpuLoad between 100 W idle and 300 W peak", ({ cpuLoad, watts }) => {
    expect(linearWatts({ idleWatts: 100, peakWatts: 300 }, cpuLoad)).toBe(watts);
  });
});
