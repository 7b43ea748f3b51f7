import { describe, expect, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import { checkScoreDeltas, compiled } from "../fixtures/harness";
import { randomInstance } from "../fixtures/random-instance";
import { createRng } from "@ferry/random";
import { energyScore } from "./energy";

describe("energy score", () => {
  const hosts = [host("h1").cpus(8).power(100, 300).build(), host("h2").cpus(8).power(50, 150).build(), host("h3").cpus(8).build()];
  const vms = [vm("a").cpus(4).build(), vm("b").cpus(4).build()];
  it.each([
    // h1 at 100% cpu: 300 W; h2, h3 empty and off.
    { name: "packed on h1", current: { a: "h1", b: "h1" }, want: 300 },
    // h1 at 50%: 100 + 200 x 0.5 = 200; h2 at 50%: 50 + 100 x 0.5 = 100.
    { name: "spread on h1 and h2", current: { a: "h1", b: "h2" }, want: 300 },
    // Defaults 100 / 250 W: h3 at 50% = 175; h2 at 50% = 100.
    { name: "default power model", current: { a: "h3", b: "h2" }, want: 275 },
    { name: "nothing runs", current: {} as Record<string, string>, want: 0 },
  ])("$name: $want W", ({ current, want }) => {
    const { a, setup } = compiled({ hosts, vms, current, topology: { kind: "labels" } });
    expect(energyScore(setup.cluster).total(a)).toBeCloseTo(want, 9);
  });

  it.each([1, 2, 3, 4, 5])("deltas equal recomputation (random instance %i)", (seed) => {
    const { a, setup } = compiled(randomInstance({ seed, groups: true }));
    checkScoreDeltas(energyScore(setup.cluster), a, createRng(seed), 300);
  });
});
