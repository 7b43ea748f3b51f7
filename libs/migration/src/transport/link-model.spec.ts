import { describe, expect, it } from "vitest";
import { LinkModel, mbpsToBytesPerMs } from "./link-model";

describe("LinkModel", () => {
  it("converts megabits per second to bytes per ms", () => {
    expect(mbpsToBytesPerMs(1000)).toBe(125_000);
  });

  // 1 Gbit/s = 125 000 bytes/ms.
  it.each([
    { name: "full share", schedule: [], start: 0, bytes: 250_000, want: 2 },
    { name: "half share from the start", schedule: [{ atMs: 0, share: 0.5 }], start: 0, bytes: 250_000, want: 4 },
    // 1 ms at full rate sends 125 000, the other 125 000 at half rate take 2 ms more.
    { name: "share drops mid-transfer", schedule: [{ atMs: 1, share: 0.5 }], start: 0, bytes: 250_000, want: 3 },
    { name: "share rises mid-transfer", schedule: [{ atMs: 0, share: 0.25 }, { atMs: 2, share: 1 }], start: 0, bytes: 187_500, want: 3 },
    { name: "starts after the change", schedule: [{ atMs: 1, share: 0.5 }], start: 5, bytes: 62_500, want: 6 },
    { name: "zero bytes take no time", schedule: [], start: 7, bytes: 0, want: 7 },
  ])("$name", ({ schedule, start, bytes, want }) => {
    const link = new LinkModel({ bandwidthMbps: 1000, rttMs: 1, shareSchedule: schedule });
    expect(link.finishTime(start, bytes)).toBeCloseTo(want, 9);
  });

  it("setShare replaces the schedule from that time on", () => {
    const link = new LinkModel({ bandwidthMbps: 1000, rttMs: 1, shareSchedule: [{ atMs: 10, share: 0.1 }] });
    link.setShare(0.5, 4);
    expect(link.shareAt(3)).toBe(1);
    expect(link.shareAt(4)).toBe(0.5);
    expect(link.shareAt(20)).toBe(0.5);
  });

  it.each([{ share: 0 }, { share: 1.5 }, { share: Number.NaN }])("rejects share $share", ({ share }) => {
    expect(() => new LinkModel({ bandwidthMbps: 1000, rttMs: 1, shareSchedule: [{ atMs: 0, share }] })).toThrow(RangeError);
  });
});
