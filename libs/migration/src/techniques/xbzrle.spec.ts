import { describe, expect, it } from "vitest";
import { createRng } from "@ferry/random";
import { xbzrleDecode, xbzrleEncode } from "./xbzrle";
import { XbzrleSizeModel } from "./xbzrle-size-model";

function page(size: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: size }, () => rng.u32() & 0xff);
}

function withChanges(old: Uint8Array, changes: [offset: number, length: number][]): Uint8Array {
  const cur = old.slice();
  for (const [at, len] of changes) for (let i = at; i < at + len; i++) cur[i] = old[i] ^ 0x5a;
  return cur;
}

describe("xbzrle", () => {
  // Sizes: each run costs ULEB(zero run) + ULEB(changed run) + the changed bytes; the trailing zero run is free.
  it.each([
    { name: "one byte at 0", changes: [[0, 1]] as [number, number][], want: 1 + 1 + 1 },
    { name: "8 bytes at 100", changes: [[100, 8]] as [number, number][], want: 1 + 1 + 8 },
    { name: "8 bytes at 200 (2-byte zero run)", changes: [[200, 8]] as [number, number][], want: 2 + 1 + 8 },
    { name: "two runs", changes: [[0, 4], [10, 4]] as [number, number][], want: 2 + 4 + 2 + 4 },
    { name: "last byte", changes: [[4095, 1]] as [number, number][], want: 2 + 1 + 1 },
  ])("$name encodes to $want bytes and decodes back", ({ changes, want }) => {
    const old = page(4096, 1);
    const cur = withChanges(old, changes);
    const dst = new Uint8Array(4096);
    const len = xbzrleEncode(old, cur, dst);
    expect(len).toBe(want);
    const back = old.slice();
    xbzrleDecode(dst, len, back);
    expect(back).toEqual(cur);
  });

  it("encodes an unchanged page to nothing", () => {
    const old = page(4096, 2);
    expect(xbzrleEncode(old, old.slice(), new Uint8Array(4096))).toBe(0);
  });

  it("overflows when the delta would not fit in a page", () => {
    expect(xbzrleEncode(page(4096, 3), page(4096, 4), new Uint8Array(4096))).toBe(-1);
  });

  it.each([{ seed: 1 }, { seed: 2 }, { seed: 3 }])("round-trips random sparse changes (seed $seed)", ({ seed }) => {
    const rng = createRng(seed);
    const old = page(4096, seed + 10);
    const cur = old.slice();
    for (let k = 0; k < 40; k++) cur[rng.int(4096)] = rng.u32() & 0xff;
    const dst = new Uint8Array(4096);
    const len = xbzrleEncode(old, cur, dst);
    const back = old.slice();
    xbzrleDecode(dst, len, back);
    expect(back).toEqual(cur);
  });

  it("works on unaligned views", () => {
    const buf = new Uint8Array(4097 * 2);
    const old = buf.subarray(1, 4097);
    old.set(page(4096, 5));
    const cur = buf.subarray(4097, 8193);
    cur.set(withChanges(old, [[50, 20]]));
    expect(xbzrleEncode(old, cur, new Uint8Array(4096))).toBe(1 + 1 + 20);
  });
});

describe("XbzrleSizeModel", () => {
  const model = XbzrleSizeModel.for(4096, 64);
  it("grows with the number of writes and overflows when the page is rewritten all over", () => {
    expect(model.meanEncodedBytes(1)).toBeLessThan(80);
    expect(model.meanEncodedBytes(10)).toBeGreaterThan(model.meanEncodedBytes(1));
    const overflows = (k: number) => Array.from({ length: XbzrleSizeModel.SAMPLES }, (_, s) => model.size(k, s)).filter((n) => n < 0).length;
    expect(overflows(1)).toBe(0);
    expect(overflows(2000)).toBe(XbzrleSizeModel.SAMPLES);
  });

  it("draws the same sizes whatever was asked before", () => {
    const fresh = XbzrleSizeModel.for(4096, 64);
    expect(fresh.size(7, 3)).toBe(model.size(7, 3));
  });
});
