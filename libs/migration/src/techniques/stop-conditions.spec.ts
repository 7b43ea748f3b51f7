import { describe, expect, it } from "vitest";
import { type RoundReport, StopConditions } from "./stop-conditions";

// 1 GiB of 4 KiB pages, 1 MiB of state, 1 ms RTT; a round that sent 125 000 bytes per ms (1 Gbit/s).
const config = {
  pageSizeBytes: 4096,
  memoryBytes: 1 << 30,
  deviceStateBytes: 1 << 20,
  rttMs: 1,
  downtimeLimitMs: 300,
  maxRounds: 5,
  byteCapFactor: 3,
  noConvergenceRounds: 2,
};
const round = (r: Partial<RoundReport>): RoundReport => ({
  round: 2,
  pagesSent: 10_000,
  bytesSent: 125_000_000,
  durationMs: 1000,
  dirtyPages: 5_000,
  remainingPages: 50_000,
  totalBytesSent: 1.5 * (1 << 30),
  canThrottleMore: false,
  ...r,
});

describe("pre-copy stop conditions", () => {
  // 8 000 pages x 4104 B + 1 MiB = 33.9 MB, / 125 000 B/ms = 271 ms, + 0.5 ms: within 300 ms.
  it.each([
    { name: "the rest fits in the downtime limit", report: round({ remainingPages: 8_000 }), want: "downtime-limit" },
    { name: "the rest does not fit", report: round({ remainingPages: 9_000 }), want: undefined },
    { name: "3x memory sent", report: round({ totalBytesSent: 3 * (1 << 30) }), want: "byte-cap" },
    { name: "round 5 of 5", report: round({ round: 5 }), want: "max-rounds" },
    { name: "converged beats every other reason", report: round({ round: 5, remainingPages: 10, totalBytesSent: 1e12 }), want: "downtime-limit" },
  ])("$name: $want", ({ report, want }) => {
    expect(new StopConditions(config).afterRound(report)).toBe(want);
  });

  it("no-convergence needs the dirty rate at or above the send rate for N rounds in a row", () => {
    const stop = new StopConditions(config);
    expect(stop.afterRound(round({ round: 1, dirtyPages: 10_000 }))).toBeUndefined();
    expect(stop.afterRound(round({ round: 2, dirtyPages: 9_999 }))).toBeUndefined();
    expect(stop.afterRound(round({ round: 3, dirtyPages: 12_000 }))).toBeUndefined();
    expect(stop.afterRound(round({ round: 4, dirtyPages: 12_000 }))).toBe("no-convergence");
  });

  it("the byte cap waits while auto-converge can still throttle", () => {
    const stop = new StopConditions(config);
    expect(stop.afterRound(round({ round: 1, totalBytesSent: 4 * (1 << 30), canThrottleMore: true }))).toBeUndefined();
    expect(stop.afterRound(round({ round: 2, totalBytesSent: 4 * (1 << 30), canThrottleMore: false }))).toBe("byte-cap");
  });

  it("no-convergence waits while auto-converge can still throttle", () => {
    const stop = new StopConditions({ ...config, maxRounds: 100 });
    for (let r = 1; r <= 5; r++) expect(stop.afterRound(round({ round: r, dirtyPages: 20_000, canThrottleMore: true }))).toBeUndefined();
    expect(stop.afterRound(round({ round: 6, dirtyPages: 20_000, canThrottleMore: false }))).toBe("no-convergence");
  });
});
