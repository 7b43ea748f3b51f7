import { describe, expect, it } from "vitest";
import { markBernoulli } from "./bernoulli";
import { PageSet } from "./page-set";
import { createRng } from "@ferry/random";

describe("markBernoulli", () => {
  // 200k trials: the standard deviation of the hit fraction is at most 0.0011, so 0.006 is > 5 sigma.
  it.each([
    { name: "sparse", p: 0.01 },
    { name: "at the switch", p: 0.04 },
    { name: "dense", p: 0.3 },
    { name: "half", p: 0.5 },
    { name: "almost all", p: 0.97 },
  ])("$name (p = $p) marks about p of the pages", ({ p }) => {
    const s = new PageSet(200_000);
    markBernoulli(createRng(7), s.words, 0, s.size, p);
    expect(s.count() / s.size).toBeCloseTo(p, 2);
    expect(Math.abs(s.count() / s.size - p)).toBeLessThan(0.006);
  });

  it.each([
    { name: "p = 0 marks nothing", p: 0, want: 0 },
    { name: "p = 1 marks the whole range", p: 1, want: 90 },
  ])("$name", ({ p, want }) => {
    const s = new PageSet(128);
    markBernoulli(createRng(1), s.words, 5, 95, p);
    expect(s.count()).toBe(want);
  });

  it.each([{ p: 0.01 }, { p: 0.5 }])("never marks outside [from, to) (p = $p)", ({ p }) => {
    const s = new PageSet(256);
    for (let seed = 0; seed < 50; seed++) markBernoulli(createRng(seed), s.words, 37, 201, p);
    expect(s.nextSet(0)).toBeGreaterThanOrEqual(37);
    expect(s.nextSet(201)).toBe(-1);
  });

  it("ORs into pages already set", () => {
    const s = PageSet.of(64, [3]);
    markBernoulli(createRng(1), s.words, 10, 20, 0.5);
    expect(s.has(3)).toBe(true);
  });
});
