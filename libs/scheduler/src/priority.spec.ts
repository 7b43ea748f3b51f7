import { describe, expect, it } from "vitest";
import type { MoveClass } from "./model";
import { effectiveRank, isStarving } from "./priority";

const rule = { agingStepMs: 60_000, starvationMs: 180_000 };
const at = (moveClass: MoveClass, waitedMs: number) => effectiveRank({ moveClass, enqueuedAtMs: 0 }, waitedMs, rule);

describe("effectiveRank", () => {
  it.each([
    { moveClass: "evacuate", waitedMs: 0, want: 4 },
    { moveClass: "drain", waitedMs: 0, want: 3 },
    { moveClass: "sla", waitedMs: 0, want: 2 },
    { moveClass: "starvation", waitedMs: 0, want: 2 },
    { moveClass: "balance", waitedMs: 0, want: 1 },
    { moveClass: "consolidate", waitedMs: 0, want: 1 },
    { moveClass: "traffic", waitedMs: 0, want: 0 },
    { moveClass: "traffic", waitedMs: 59_999, want: 0 },
    { moveClass: "traffic", waitedMs: 60_000, want: 1 },
    { moveClass: "traffic", waitedMs: 150_000, want: 2 },
    // Bounded: aging stops at the drains' rank, never above an evacuation.
    { moveClass: "traffic", waitedMs: 10 * 60_000, want: 3 },
    { moveClass: "balance", waitedMs: 10 * 60_000, want: 3 },
    { moveClass: "drain", waitedMs: 10 * 60_000, want: 3 },
    { moveClass: "evacuate", waitedMs: 10 * 60_000, want: 4 },
  ] as { moveClass: MoveClass; waitedMs: number; want: number }[])("$moveClass after $waitedMs ms: $want", ({ moveClass, waitedMs, want }) => {
    expect(at(moveClass, waitedMs)).toBe(want);
  });

  it("a move queued in the future (clock skew) has not aged", () => {
    expect(effectiveRank({ moveClass: "traffic", enqueuedAtMs: 10_000 }, 0, rule)).toBe(0);
  });

  it.each([
    { waitedMs: 179_999, want: false },
    { waitedMs: 180_000, want: true },
  ])("starving after $waitedMs ms: $want", ({ waitedMs, want }) => {
    expect(isStarving({ enqueuedAtMs: 0 }, waitedMs, rule)).toBe(want);
  });
});
