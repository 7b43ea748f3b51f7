import { describe, expect, it } from "vitest";
import { createRng } from "@ferry/random";
import type { LocalitySpec } from "./locality";
import { pagesInRegion } from "./locality";
import { buildLocality, localityClasses, parseLocality } from "./registry";

describe("parseLocality", () => {
  it.each([
    { text: "uniform", want: { kind: "uniform" } },
    { text: "hotset:0.1", want: { kind: "hotset", fraction: 0.1, share: 0.9 } },
    { text: "hotset:0.25:1", want: { kind: "hotset", fraction: 0.25, share: 1 } },
    { text: "zipf:0.99", want: { kind: "zipf", exponent: 0.99 } },
  ])("$text", ({ text, want }) => expect(parseLocality(text)).toEqual(want));

  it.each([
    { text: "gaussian", reason: "unknown workload" },
    { text: "hotset", reason: "expected hotset" },
    { text: "hotset:0", reason: "fraction must be in (0, 1]" },
    { text: "hotset:0.1:2", reason: "share must be in [0, 1]" },
    { text: "zipf:x", reason: "must be numbers" },
    { text: "uniform:3", reason: "takes no parameters" },
  ])("rejects $text", ({ text, reason }) => {
    const r = parseLocality(text);
    expect("error" in r && r.error).toContain(reason);
  });
});

describe("locality models", () => {
  const specs: { name: string; spec: LocalitySpec }[] = [
    { name: "uniform", spec: { kind: "uniform" } },
    { name: "hot set", spec: { kind: "hotset", fraction: 0.1, share: 0.9 } },
    { name: "zipf", spec: { kind: "zipf", exponent: 0.99 } },
  ];
  // 1000 pages: the last of 16 regions of 64 is partial (40 pages).
  it.each(specs)("$name: page probabilities sum to 1 over memory", ({ spec }) => {
    const loc = buildLocality(spec, 1000, 64, createRng(1));
    let total = 0;
    for (let r = 0; r < loc.regionCount; r++) total += loc.pageProbability[r] * pagesInRegion(1000, 64, r);
    expect(total).toBeCloseTo(1, 9);
  });

  it.each(specs)("$name: classes cover memory and carry all the probability", ({ spec }) => {
    const classes = localityClasses(spec, 1 << 20, 64);
    expect(classes.reduce((s, c) => s + c.pages, 0)).toBe(1 << 20);
    expect(classes.reduce((s, c) => s + c.pages * c.pageProbability, 0)).toBeCloseTo(1, 3);
  });

  it("a hot set of 10% with share 0.9 makes a hot page 81 times as likely as a cold one", () => {
    const loc = buildLocality({ kind: "hotset", fraction: 0.1, share: 0.9 }, 6400, 64, createRng(2));
    const probs = [...new Set(loc.pageProbability)].sort((a, b) => a - b);
    expect(probs.length).toBe(2);
    expect(probs[1] / probs[0]).toBeCloseTo(81, 6);
  });

  it("zipf ranks regions in a seeded order", () => {
    const a = buildLocality({ kind: "zipf", exponent: 1 }, 6400, 64, createRng(3));
    const b = buildLocality({ kind: "zipf", exponent: 1 }, 6400, 64, createRng(3));
    const c = buildLocality({ kind: "zipf", exponent: 1 }, 6400, 64, createRng(4));
    expect(a.pageProbability).toEqual(b.pageProbability);
    expect(a.pageProbability).not.toEqual(c.pageProbability);
  });
});
