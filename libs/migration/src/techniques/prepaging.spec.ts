import { describe, expect, it } from "vitest";
import { PageSet } from "../simulator/page-set";
import type { Prepaging } from "../spec";
import { createPushOrder } from "./prepaging";

/** Pushes everything in batches of `batch`, applying faults before the batch numbered by their key. */
function push(kind: Prepaging, pageCount: number, batch: number, faults: Record<number, number[]>, sentBefore: number[] = []) {
  const order = createPushOrder(kind, pageCount, 4);
  const sent = PageSet.of(pageCount, sentBefore);
  const out: number[] = [];
  const buf = new Uint32Array(batch);
  for (let b = 0; ; b++) {
    for (const f of faults[b] ?? []) order.onFault(f);
    const n = order.fill(sent, buf, 0, batch);
    if (n === 0) break;
    out.push(...buf.subarray(0, n));
  }
  return out;
}

describe("push orders", () => {
  it.each<{ name: string; kind: Prepaging; faults: Record<number, number[]>; want: number[] }>([
    { name: "none: sequential", kind: "none" as const, faults: { 1: [30] }, want: [0, 1, 2, 3, 4, 5, 6, 7] },
    // After 0..3 the fault at 30 moves the bubble: 31, 29, 32, 28, ...
    { name: "bubble: around the latest fault", kind: "bubble" as const, faults: { 1: [30] }, want: [0, 1, 2, 3, 31, 29, 32, 28] },
    // Bubbles around 10 and 30 take turns, one page forward and one backward each.
    { name: "multi-pivot: bubbles take turns", kind: "multi-pivot" as const, faults: { 0: [10, 30] }, want: [11, 9, 31, 29, 12, 8, 32, 28] },
  ])("$name", ({ kind, faults, want }) => {
    expect(push(kind, 64, 4, faults).slice(0, 8)).toEqual(want);
  });

  it.each([{ kind: "none" as const }, { kind: "bubble" as const }, { kind: "multi-pivot" as const }])(
    "$kind sends every unsent page exactly once, whatever the faults",
    ({ kind }) => {
      const faults: Record<number, number[]> = { 0: [500], 3: [10, 990], 7: [499, 501, 3], 20: [700] };
      const sentBefore = [0, 1, 2, 600, 601, 999];
      const out = push(kind, 1000, 16, faults, sentBefore);
      expect(out.length).toBe(1000 - sentBefore.length);
      expect(new Set(out).size).toBe(out.length);
      expect(out.some((p) => sentBefore.includes(p))).toBe(false);
    },
  );

  it("multi-pivot closes a bubble edge at a sent page and falls back to sequential", () => {
    // Pages 8 and 12 are already sent: the bubble around 10 sends 11 and 9 and closes.
    expect(push("multi-pivot", 16, 4, { 0: [10] }, [8, 10, 12]).slice(0, 4)).toEqual([11, 9, 0, 1]);
  });
});
