import { describe, expect, it } from "vitest";
import type { HostLoad } from "../model/cluster-model";
import { iqr, iqrUpperThreshold } from "./iqr";
import { loessFit, lr, predictedUtilization } from "./lr";
import { lrr, robustLoessFit } from "./lrr";
import { mad, madUpperThreshold } from "./mad";
import { interquartileRange, median, medianAbsoluteDeviation, weightedLinearFit } from "./stats";
import { thr } from "./thr";

/** history is given oldest first here (as people write series) and stored newest first, as CloudSim does. */
function load(utilization: number, oldestFirst: number[], maxMigrationTimeS = 27.84): HostLoad {
  const history = [...oldestFirst].reverse();
  return { utilization, history, historyLength: history.length, intervalS: 300, maxMigrationTimeS: () => maxMigrationTimeS };
}

const fallback = thr(0.7);
// 12 samples: six at 0.5 then six at 0.6. median 0.55, every deviation 0.05, so MAD = 0.05.
const STEP = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];
// 12 samples 0.40 .. 0.51. CloudSim's IQR: positions round(3.25) = 3 and round(9.75) = 10 (1-based), 0.42 and 0.49.
const RAMP = Array.from({ length: 12 }, (_, i) => 0.4 + i / 100);
// 10 samples on the line y = 0.25 + 0.05 x (x = 1..10): 0.30 .. 0.75.
const LINE = Array.from({ length: 10 }, (_, i) => 0.25 + 0.05 * (i + 1));

describe("statistics", () => {
  it.each([
    { name: "odd median", values: [3, 1, 2], want: 2 },
    { name: "even median interpolates", values: [4, 1, 3, 2], want: 2.5 },
  ])("$name", ({ values, want }) => expect(median(values)).toBe(want));
  it("MAD of the step series is 0.05", () => expect(medianAbsoluteDeviation(STEP)).toBeCloseTo(0.05, 12));
  it("IQR of the ramp uses CloudSim's order statistics", () => expect(interquartileRange(RAMP)).toBeCloseTo(0.07, 12));
  it("a weighted fit of a straight line recovers it whatever the weights", () => {
    const [a, b] = weightedLinearFit(LINE, [5, 1, 1, 1, 1, 1, 1, 1, 1, 9]);
    expect(a).toBeCloseTo(0.25, 12);
    expect(b).toBeCloseTo(0.05, 12);
  });
});

describe("THR", () => {
  it.each([
    { name: "above the threshold", u: 0.81, want: true },
    { name: "at the threshold is fine (strictly greater)", u: 0.8, want: false },
    { name: "below", u: 0.5, want: false },
  ])("$name", ({ u, want }) => expect(thr(0.8).isOverloaded(load(u, []))).toBe(want));
});

describe("MAD", () => {
  it("threshold is 1 - s x MAD", () => expect(madUpperThreshold([...STEP].reverse(), 12, 2.5)).toBeCloseTo(0.875, 12));
  it.each([
    // upper threshold 1 - 2.5 x 0.05 = 0.875
    { name: "above 0.875", u: 0.88, history: STEP, want: true },
    { name: "below 0.875", u: 0.87, history: STEP, want: false },
    // 11 samples: not enough (CloudSim wants 12), falls back to THR 0.7
    { name: "short history falls back, over 0.7", u: 0.75, history: STEP.slice(1), want: true },
    { name: "short history falls back, under 0.7", u: 0.65, history: STEP.slice(1), want: false },
  ])("$name", ({ u, history, want }) => expect(mad(2.5, fallback).isOverloaded(load(u, history))).toBe(want));
});

describe("IQR", () => {
  it("threshold is 1 - s x IQR", () => expect(iqrUpperThreshold(RAMP, 12, 1.5)).toBeCloseTo(0.895, 12));
  it.each([
    // upper threshold 1 - 1.5 x 0.07 = 0.895
    { name: "above 0.895", u: 0.9, history: RAMP, want: true },
    { name: "below 0.895", u: 0.89, history: RAMP, want: false },
    { name: "short history falls back", u: 0.75, history: RAMP.slice(2), want: true },
  ])("$name", ({ u, history, want }) => expect(iqr(1.5, fallback).isOverloaded(load(u, history))).toBe(want));
});

describe("LR", () => {
  it.each([
    // slowest migration 27.84 s: look 1 interval ahead, x = 11: 0.25 + 0.55 = 0.80
    { name: "one interval ahead", maxMig: 27.84, want: 0.8 },
    // no VM to move: x = 10, the last sample
    { name: "nothing to migrate", maxMig: 0, want: 0.75 },
    // 400 s migrations: ceil(400 / 300) = 2 intervals, x = 12: 0.85
    { name: "two intervals ahead", maxMig: 400, want: 0.85 },
  ])("$name", ({ maxMig, want }) => {
    expect(predictedUtilization(load(0.75, LINE, maxMig), loessFit)).toBeCloseTo(want, 12);
  });
  it.each([
    // 1.2 x 0.80 = 0.96 < 1
    { name: "safety 1.2 keeps it", safety: 1.2, want: false },
    // 1.3 x 0.80 = 1.04 >= 1
    { name: "safety 1.3 flags it", safety: 1.3, want: true },
  ])("$name", ({ safety, want }) => expect(lr(safety, fallback).isOverloaded(load(0.75, LINE))).toBe(want));
  it("uses only the last 10 samples", () => {
    const longer = [0.9, 0.9, 0.9, ...LINE];
    expect(predictedUtilization(load(0.75, longer), loessFit)).toBeCloseTo(0.8, 12);
  });
  it("falls back to THR with 9 samples", () => {
    expect(lr(1.2, fallback).isOverloaded(load(0.71, LINE.slice(1)))).toBe(true);
    expect(lr(1.2, fallback).isOverloaded(load(0.69, LINE.slice(1)))).toBe(false);
  });
});

describe("LRR", () => {
  // flat at 0.5 with one spike in the newest sample
  const SPIKE = [...Array.from({ length: 9 }, () => 0.5), 0.95];
  it("is pulled less by a spike than plain Loess", () => {
    // worked out once: plain 0.7340, robust 0.6950 (the spike's bisquare weight drops to about 0.5)
    const plain = predictedUtilization(load(0.95, SPIKE), loessFit);
    const robust = predictedUtilization(load(0.95, SPIKE), robustLoessFit);
    expect(plain).toBeCloseTo(0.734, 3);
    expect(robust).toBeCloseTo(0.695, 3);
  });
  it("agrees with LR on a clean line", () => {
    expect(predictedUtilization(load(0.75, LINE), robustLoessFit)).toBeCloseTo(0.8, 9);
  });
  it.each([
    // 1.4 x 0.734 = 1.03 >= 1, but 1.4 x 0.695 = 0.97
    { name: "spike: LR says overloaded", detector: lr(1.4, fallback), want: true },
    { name: "spike: LRR says fine", detector: lrr(1.4, fallback), want: false },
  ])("$name", ({ detector, want }) => expect(detector.isOverloaded(load(0.95, SPIKE))).toBe(want));
});
