import { describe, expect, it } from "vitest";
import { TRACE_INTERVAL_S, traceWorkload } from "./trace-workload";
import { MAX_ACTIVITY, activity, constantWorkload } from "./workload-model";

const STEP_MS = TRACE_INTERVAL_S * 1000;

describe("traceWorkload", () => {
  const series = [0.1, 0.5, 0.3];

  it.each([
    { name: "on a sample", atMs: STEP_MS, speedup: 1, want: 0.5 },
    // Halfway between 0.5 and 0.3.
    { name: "between two samples, interpolated", atMs: 1.5 * STEP_MS, speedup: 1, want: 0.4 },
    // Past the last sample the series leads back to its first: halfway between 0.3 and 0.1.
    { name: "after the last sample, towards the first", atMs: 2.5 * STEP_MS, speedup: 1, want: 0.2 },
    { name: "looping: one period later is the same", atMs: 4 * STEP_MS, speedup: 1, want: 0.5 },
    // 60x: one wall-clock interval of 5 s is one trace interval.
    { name: "sped up 60 times", atMs: STEP_MS / 60, speedup: 60, want: 0.5 },
  ])("$name", ({ atMs, speedup, want }) => {
    expect(traceWorkload(series, speedup, 0.5).cpuFraction(atMs)).toBeCloseTo(want, 12);
  });

  it("knows its mean and its memory share", () => {
    const w = traceWorkload(series, 1, 0.6);
    expect(w.meanCpuFraction).toBeCloseTo(0.3, 12);
    expect(w.memFraction).toBe(0.6);
  });

  it("refuses an empty series", () => {
    expect(() => traceWorkload([], 1, 0.5)).toThrow(/at least one sample/);
  });
});

describe("activity", () => {
  it.each([
    { name: "a constant level is always at its mean", model: constantWorkload(0.4, 0.5), atMs: 0, want: 1 },
    { name: "an idle constant level is idle", model: constantWorkload(0, 0.5), atMs: 0, want: 0 },
    // Mean 0.3, at 0.5 now: 5/3 of the configured rates.
    { name: "above the mean scales up", model: traceWorkload([0.1, 0.5, 0.3], 1, 0.5), atMs: STEP_MS, want: 5 / 3 },
    // Mean 0.02, at 0.9: 45 times its mean, capped.
    { name: "a burst on a quiet series is capped", model: traceWorkload([0.9, ...new Array<number>(44).fill(0)], 1, 0.5), atMs: 0, want: MAX_ACTIVITY },
  ])("$name", ({ model, atMs, want }) => {
    expect(activity(model, atMs)).toBeCloseTo(want, 12);
  });
});
