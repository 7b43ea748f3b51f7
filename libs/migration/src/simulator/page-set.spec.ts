import { describe, expect, it } from "vitest";
import { PageSet, popcount32 } from "./page-set";

describe("popcount32", () => {
  it.each([
    { x: 0, want: 0 },
    { x: 1, want: 1 },
    { x: 0xffffffff, want: 32 },
    { x: 0x80000001, want: 2 },
    { x: 0x0f0f0f0f, want: 16 },
  ])("$x has $want bits", ({ x, want }) => expect(popcount32(x)).toBe(want));
});

describe("PageSet", () => {
  it.each([{ size: 1 }, { size: 31 }, { size: 32 }, { size: 33 }, { size: 100 }])(
    "full($size) holds exactly size pages and nothing past the end",
    ({ size }) => {
      const s = PageSet.full(size);
      expect(s.count()).toBe(size);
      expect(s.nextClear(0)).toBe(-1);
      expect(s.nextSet(size)).toBe(-1);
    },
  );

  const pages = [0, 1, 2, 31, 32, 40, 63, 64, 99];
  it.each([
    { name: "nextSet from 3", op: (s: PageSet) => s.nextSet(3), want: 31 },
    { name: "nextSet from 64", op: (s: PageSet) => s.nextSet(64), want: 64 },
    { name: "nextSet past the last", op: (s: PageSet) => s.nextSet(100), want: -1 },
    { name: "nextClear from 0", op: (s: PageSet) => s.nextClear(0), want: 3 },
    { name: "nextClear from 31", op: (s: PageSet) => s.nextClear(31), want: 33 },
    { name: "prevClear from 2", op: (s: PageSet) => s.prevClear(2), want: -1 },
    { name: "prevClear from 32", op: (s: PageSet) => s.prevClear(32), want: 30 },
    { name: "prevClear from 99", op: (s: PageSet) => s.prevClear(99), want: 98 },
    { name: "count", op: (s: PageSet) => s.count(), want: pages.length },
    // runs: {0,1,2} {31,32} {40} {63,64} {99}
    { name: "runCount", op: (s: PageSet) => s.runCount(), want: 5 },
  ])("$name", ({ op, want }) => {
    expect(op(PageSet.of(100, pages))).toBe(want);
  });

  it("forEach visits set pages in order", () => {
    expect(PageSet.of(100, pages).toArray()).toEqual(pages);
  });

  it.each([
    { name: "union", op: "unionWith" as const, want: [1, 2, 3, 40, 70] },
    { name: "subtract", op: "subtract" as const, want: [1, 40] },
    { name: "intersect", op: "intersectWith" as const, want: [2] },
  ])("$name", ({ op, want }) => {
    const a = PageSet.of(80, [1, 2, 40]);
    a[op](PageSet.of(80, [2, 3, 70]));
    expect(a.toArray()).toEqual(want);
  });

});
