import { describe, expect, it } from "vitest";
import { liveProgress, type ProgressEvent } from "./live-progress";

const MiB = 1024 * 1024;
const ev = (s: number, sentMiB: number, remainingMiB: number, phase = "pre-copy"): ProgressEvent => ({
  at: new Date(s * 1000),
  phase,
  progress: 0,
  bytesSent: BigInt(sentMiB * MiB),
  pagesRemaining: BigInt((remainingMiB * MiB) / 4096),
});

describe("liveProgress", () => {
  it("is unknown before two reports", () => {
    expect(liveProgress([ev(0, 0, 1024)], 1000)).toBeNull();
  });

  it.each([
    {
      // 100 MiB/s sent, 80 MiB/s of it shrank what remains: the guest dirtied 20 MiB/s.
      name: "transfer and dirty rates from two reports",
      events: [ev(0, 0, 1000), ev(1, 100, 920)],
      now: 1,
      want: { transferBytesPerSec: 100 * MiB, dirtyBytesPerSec: 20 * MiB, bytesRemaining: 920 * MiB, stalled: false },
    },
    {
      name: "stalled when the guest dirties memory as fast as it is sent",
      events: [ev(0, 0, 500), ev(1, 100, 500), ev(2, 200, 510), ev(3, 300, 520)],
      now: 3,
      want: { stalled: true },
    },
  ])("$name", ({ events, now, want }) => {
    expect(liveProgress(events, now * 1000)).toMatchObject(want);
  });
});
