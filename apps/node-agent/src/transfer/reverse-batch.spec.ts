import { describe, expect, it } from "vitest";
import { decodePageList, decodeReverseBatch, encodePageList, encodeReverseBatch } from "./reverse-batch";

describe("reverse batches and page lists", () => {
  it.each([
    { name: "empty", from: 0, to: 0, pages: [] as number[] },
    { name: "two pages", from: 10, to: 17, pages: [3, 0] },
    { name: "large counts", from: 2 ** 40, to: 2 ** 40 + 5, pages: [4294967295] },
  ])("round-trips a reverse batch: $name", ({ from, to, pages }) => {
    const bytes = Buffer.alloc(pages.length * 8, 7);
    const decoded = decodeReverseBatch(encodeReverseBatch(from, to, Uint32Array.from(pages), bytes), 8);
    expect(decoded.fromWrites).toBe(from);
    expect(decoded.toWrites).toBe(to);
    expect([...decoded.pages]).toEqual(pages);
    expect(decoded.bytes.equals(bytes)).toBe(true);
  });

  it.each([
    { name: "truncated head", payload: Buffer.alloc(5), error: /truncated/ },
    { name: "wrong length", payload: encodeReverseBatch(0, 1, Uint32Array.of(1), Buffer.alloc(4)), error: /has/ },
    { name: "counts going back", payload: encodeReverseBatch(5, 4, new Uint32Array(0), Buffer.alloc(0)), error: /write counts/ },
  ])("refuses a malformed reverse batch: $name", ({ payload, error }) => {
    expect(() => decodeReverseBatch(payload, 8)).toThrow(error);
  });

  it("round-trips a page list and refuses a ragged one", () => {
    expect([...decodePageList(encodePageList([1, 2, 99]))]).toEqual([1, 2, 99]);
    expect(() => decodePageList(Buffer.alloc(6))).toThrow(/6 bytes/);
  });
});
