import { describe, expect, it } from "vitest";
import { XbzrleCache } from "./xbzrle-cache";

describe("XbzrleCache (QEMU page_cache.c)", () => {
  it("rounds the slot count down to a power of two", () => {
    expect(new XbzrleCache(5 * 4096, 4096, false).slots).toBe(4);
  });

  // 4 slots: pages 1 and 5 share slot 1.
  it.each([
    { name: "a miss, then a hit after insert", steps: [["lookup", 1, 1, false], ["insert", 1, 1, true], ["lookup", 1, 2, true]] },
    { name: "a fresh entry is not evicted", steps: [["insert", 1, 1, true], ["insert", 5, 2, false], ["lookup", 1, 2, true]] },
    { name: "an entry two generations old is evicted", steps: [["insert", 1, 1, true], ["insert", 5, 3, true], ["lookup", 1, 3, false]] },
    { name: "a hit refreshes the age", steps: [["insert", 1, 1, true], ["lookup", 1, 2, true], ["insert", 5, 3, false]] },
  ] as { name: string; steps: ["lookup" | "insert", number, number, boolean][] }[])("$name", ({ steps }) => {
    const cache = new XbzrleCache(4 * 4096, 4096, false);
    for (const [op, page, age, want] of steps) expect(cache[op](page, age)).toBe(want);
  });
});
