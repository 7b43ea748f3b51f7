import { describe, expect, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import { checkScoreDeltas, compiled } from "../fixtures/harness";
import { randomInstance } from "../fixtures/random-instance";
import { createRng } from "@ferry/random";
import { balanceScore } from "./balance";

describe("balance score", () => {
  const hosts = [host("h1").cpus(8).memMiB(8192).build(), host("h2").cpus(8).memMiB(8192).build()];
  const vms = [vm("a").cpus(4).memMiB(4096).build(), vm("b").cpus(4).memMiB(4096).build()];
  it.each([
    // Both on h1: cpu 1.0, mem 1.0 -> 1 + 1; h2 empty -> 2.
    { name: "packed", current: { a: "h1", b: "h1" }, want: 2 },
    // One each: (0.5^2 + 0.5^2) x 2 hosts -> 1: spreading lowers it.
    { name: "spread", current: { a: "h1", b: "h2" }, want: 1 },
  ])("$name: $want", ({ current, want }) => {
    const { a, setup } = compiled({ hosts, vms, current, topology: { kind: "labels" } });
    expect(balanceScore(setup.cluster).total(a)).toBeCloseTo(want, 12);
  });

  it.each([1, 2, 3, 4, 5])("deltas equal recomputation (random instance %i)", (seed) => {
    const { a, setup } = compiled(randomInstance({ seed, groups: true }));
    checkScoreDeltas(balanceScore(setup.cluster), a, createRng(seed), 300);
  });
});
