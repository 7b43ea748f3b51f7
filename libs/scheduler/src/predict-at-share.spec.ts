import { describe, expect, it } from "vitest";
import { predictAtShare, roughDurationMs } from "./predict-at-share";

describe("predictAtShare", () => {
  const vm = { memMiB: 16_384, dirtyMiBps: 200 };

  it.each([10_000, 5_000, 2_500])("is slower on a smaller share (%i Mbit/s vs twice that)", (share) => {
    expect(predictAtShare(vm, share, 0.5).totalMs).toBeGreaterThan(predictAtShare(vm, share * 2, 0.5).totalMs);
  });

  it("keeps a technique the controller fixed", () => {
    const p = predictAtShare({ ...vm, technique: { name: "non-live" } }, 10_000, 0.5);
    expect(p.technique).toBe("non-live");
    expect(p.reason).toMatch(/fixed/);
  });

  it("says when no technique meets the SLA at the share, and gives the closest allowed one", () => {
    const p = predictAtShare({ memMiB: 65_536, dirtyMiBps: 2000, sla: { maxDowntimeMs: 10, maxTotalMs: 1000, allowPostCopy: false } }, 1000, 0.5);
    expect(p.slaMet).toBe(false);
    expect(p.technique).not.toMatch(/post-copy|hybrid/);
  });
});

describe("roughDurationMs", () => {
  it.each([
    // 8 GiB at 10 Gbit/s (1250 bytes/ms) with nothing dirtied: memory / rate.
    { memMiB: 8192, dirtyMiBps: 0, rate: 10_000, want: (8192 * 1048576) / 1_250_000 },
    // Dirty rate over 90 % of the rate: three times the memory.
    { memMiB: 8192, dirtyMiBps: 1200, rate: 10_000, want: (3 * 8192 * 1048576) / 1_250_000 },
  ])("$memMiB MiB, $dirtyMiBps MiB/s at $rate Mbit/s", ({ memMiB, dirtyMiBps, rate, want }) => {
    expect(roughDurationMs({ memMiB, dirtyMiBps }, rate)).toBeCloseTo(want, 6);
  });
});
