import { describe, expect, it } from "vitest";
import { judge, judgingResumesAt } from "./node-liveness";

const T = 1_000;

describe("judge", () => {
  it.each([
    { name: "recent heartbeat keeps an active node", state: "active", heard: 9_500, failedAt: null, want: "keep" },
    { name: "silence past the timeout fails an active node", state: "active", heard: 8_000, failedAt: null, want: "fail" },
    { name: "exactly the timeout is not yet silence", state: "cordoned", heard: 9_000, failedAt: null, want: "keep" },
    { name: "a silent cordoned node fails too", state: "cordoned", heard: 1_000, failedAt: null, want: "fail" },
    { name: "a failed node that speaks again recovers", state: "failed", heard: 9_900, failedAt: 9_000, want: "recover" },
    { name: "a failed node still silent stays failed", state: "failed", heard: 5_000, failedAt: 9_000, want: "keep" },
    { name: "a beat from before the failure does not recover it", state: "failed", heard: 9_500, failedAt: 9_600, want: "keep" },
    { name: "a node switched off is left alone", state: "off", heard: 0, failedAt: null, want: "keep" },
  ])("$name", ({ state, heard, failedAt, want }) => {
    expect(judge(state, heard, failedAt, 10_000, T)).toBe(want);
  });
});

describe("judgingResumesAt", () => {
  it.each([
    { name: "a timeout after the controller started", started: 1_000, outage: null, want: 2_000 },
    { name: "a timeout after heartbeats last could not be recorded", started: 1_000, outage: 50_000, want: 51_000 },
    { name: "an outage before the start changes nothing", started: 1_000, outage: 500, want: 2_000 },
  ])("$name", ({ started, outage, want }) => {
    expect(judgingResumesAt(started, outage, T)).toBe(want);
  });
});
