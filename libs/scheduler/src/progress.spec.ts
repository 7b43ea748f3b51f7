import { describe, expect, it } from "vitest";
import { planProgressOf, progressOf, type ProgressSample } from "./progress";

const GiB = 1024 ** 3;
const MBps = 1_000_000;
const sample = (atMs: number, bytesSent: number, bytesRemaining: number, dirty = 50 * MBps, transfer = 1000 * MBps, phase = "round"): ProgressSample => ({
  atMs,
  phase,
  bytesSent,
  bytesRemaining,
  dirtyBytesPerSec: dirty,
  transferBytesPerSec: transfer,
});
const rules = { noProgressMs: 30_000, nonConvergingSamples: 3 };

describe("progressOf", () => {
  it.each([
    {
      name: "half the memory sent, converging",
      samples: [sample(0, 0, 8 * GiB), sample(4000, 4 * GiB, 4 * GiB)],
      nowMs: 4000,
      want: { percent: 50, etaMs: (4 * GiB * 1000) / (950 * MBps), stalled: false },
    },
    {
      name: "the ETA counts down from the last report",
      samples: [sample(0, 4 * GiB, 4 * GiB)],
      nowMs: 1000,
      want: { percent: 50, etaMs: (4 * GiB * 1000) / (950 * MBps) - 1000, stalled: false },
    },
    {
      name: "percent never goes back when a round finds more dirty pages",
      samples: [sample(0, 8 * GiB, 1 * GiB), sample(2000, 9 * GiB, 2 * GiB)],
      nowMs: 2000,
      want: { percent: (100 * 8) / 9, stalled: false },
    },
    {
      name: "done: nothing left",
      samples: [sample(0, 8 * GiB, 0, 0, 0, "done")],
      nowMs: 0,
      want: { percent: 100, etaMs: 0, stalled: false },
    },
    {
      name: "no bytes for the limit: stalled",
      samples: [sample(0, 1 * GiB, 7 * GiB), sample(10_000, 1 * GiB, 7 * GiB)],
      nowMs: 30_000,
      want: { stalled: true, stallReason: expect.stringMatching(/no bytes sent for 30 s \(limit 30 s\)/) },
    },
    {
      name: "just under the limit: not yet",
      samples: [sample(0, 1 * GiB, 7 * GiB)],
      nowMs: 29_999,
      want: { stalled: false },
    },
    {
      name: "dirty >= transfer for 3 reports: not converging, no ETA",
      samples: [sample(0, 1 * GiB, 7 * GiB, 900 * MBps, 1000 * MBps), ...[1, 2, 3].map((i) => sample(i * 1000, (1 + i) * GiB, 7 * GiB, 1000 * MBps, 1000 * MBps))],
      nowMs: 3000,
      want: { etaMs: null, stalled: true, stallReason: expect.stringMatching(/last 3 reports/) },
    },
    {
      name: "dirty >= transfer for only 2 reports: not yet a stall",
      samples: [sample(0, 1 * GiB, 7 * GiB), ...[1, 2].map((i) => sample(i * 1000, (1 + i) * GiB, 7 * GiB, 1200 * MBps, 1000 * MBps))],
      nowMs: 2000,
      want: { etaMs: null, stalled: false },
    },
  ])("$name", ({ samples, nowMs, want }) => {
    const view = progressOf(samples, nowMs, rules);
    expect(view).toMatchObject(Object.fromEntries(Object.entries(want).filter(([k]) => k !== "percent" && k !== "etaMs")));
    if ("percent" in want) expect(view.percent).toBeCloseTo(want.percent as number, 6);
    if ("etaMs" in want) {
      if (want.etaMs === null) expect(view.etaMs).toBeNull();
      else expect(view.etaMs).toBeCloseTo(want.etaMs as number, 3);
    }
  });

  it("samples may arrive out of order", () => {
    expect(progressOf([sample(2000, 2 * GiB, 6 * GiB), sample(0, 0, 8 * GiB)], 2000, rules).bytesSent).toBe(2 * GiB);
  });

  it("needs a sample", () => {
    expect(() => progressOf([], 0)).toThrow(/at least one sample/);
  });
});

describe("planProgressOf", () => {
  const running = progressOf([sample(0, 2 * GiB, 2 * GiB)], 0, rules);
  const stalled = progressOf([sample(0, 2 * GiB, 2 * GiB)], 60_000, rules);
  it.each([
    {
      name: "memory-weighted percent; ETA = slowest running + waiting estimates",
      steps: [
        { state: "done" as const, memoryBytes: 4 * GiB },
        { state: "running" as const, memoryBytes: 4 * GiB, view: running },
        { state: "waiting" as const, memoryBytes: 8 * GiB, estimatedMs: 10_000 },
      ],
      want: { percent: 37.5, stepsDone: 1, stepsTotal: 3, etaMs: running.etaMs! + 10_000, stalledSteps: 0 },
    },
    {
      name: "unknown when a waiting step has no estimate; counts stalled steps",
      steps: [
        { state: "running" as const, memoryBytes: 4 * GiB, view: stalled },
        { state: "waiting" as const, memoryBytes: 4 * GiB },
      ],
      want: { percent: 25, stepsDone: 0, stepsTotal: 2, etaMs: null, stalledSteps: 1 },
    },
    { name: "an empty plan is complete", steps: [], want: { percent: 100, stepsDone: 0, stepsTotal: 0, etaMs: 0, stalledSteps: 0 } },
  ])("$name", ({ steps, want }) => {
    expect(planProgressOf(steps)).toEqual(want);
  });
});
