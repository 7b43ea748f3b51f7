import { describe, expect, it } from "vitest";
import { PageSet } from "../simulator/page-set";
import { AutoConverge } from "./auto-converge";
import type { SourceVm } from "./technique";

function fakeSource(): SourceVm & { throttles: number[] } {
  const throttles: number[] = [];
  return {
    throttles,
    pageCount: 1,
    pageSizeBytes: 4096,
    deviceStateBytes: 0,
    content: { kind: "bytes", readPage() {} },
    startDirtyTracking() {},
    stopDirtyTracking() {},
    syncDirtyLog: () => new PageSet(1),
    setThrottle: (f) => throttles.push(Math.round(f * 100)),
    pause() {},
    resumeHere() {},
  };
}

const QEMU = { throttleTriggerPct: 50, throttleInitialPct: 20, throttleIncrementPct: 10, throttleMaxPct: 99 };

describe("auto-converge", () => {
  it("throttles at every second miss: 20%, then +10% up to 99%", () => {
    const source = fakeSource();
    const ac = new AutoConverge(source, QEMU, 0);
    // Each sync 1.1 s apart: 1000 pages dirtied (4 MB) against 1 MB sent since the last check: a miss.
    let sent = 0;
    for (let i = 1; i <= 24; i++) {
      sent += 1_000_000;
      ac.onSync(i * 1100, 1000, sent);
    }
    expect(source.throttles).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 99, 99, 99, 99]);
    expect(ac.atMax).toBe(true);
  });

  it.each([
    { name: "dirtying below half of what was sent", syncs: 4, dirtyPages: 100, gapMs: 1100, want: [] },
    // Checks only at 1200 and 2400 ms: one pair of misses, so one throttle step.
    { name: "syncs less than a second apart are checked once a second", syncs: 6, dirtyPages: 1000, gapMs: 400, want: [20] },
  ])("$name", ({ syncs, dirtyPages, gapMs, want }) => {
    const source = fakeSource();
    const ac = new AutoConverge(source, QEMU, 0);
    let sent = 0;
    const sentPerSync = 1_000_000;
    for (let i = 1; i <= syncs; i++) {
      sent += sentPerSync;
      ac.onSync(i * gapMs, dirtyPages, sent);
    }
    expect(source.throttles).toEqual(want);
  });
});
