import { describe, expect, it } from "vitest";
import { fatTreeK4 } from "../fixtures/fat-tree-k4";
import { checkScoreDeltas, compiled } from "../fixtures/harness";
import { randomInstance } from "../fixtures/random-instance";
import { createRng } from "@ferry/random";
import { migrationScore } from "./migration";

describe("migration score", () => {
  it.each([
    { name: "nothing moved", moves: [] as [string, string][], want: 0 },
    // Every VM of fatTreeK4 has 8192 MiB.
    { name: "one VM moved", moves: [["a0", "h1"]] as [string, string][], want: 8192 },
    { name: "moved away and back", moves: [["a0", "h1"], ["a0", "h0"]] as [string, string][], want: 0 },
    { name: "two VMs moved", moves: [["a0", "h1"], ["b3", "h15"]] as [string, string][], want: 16384 },
  ])("$name: $want MiB", ({ moves, want }) => {
    const { a, setup, unit, hostIx } = compiled(fatTreeK4);
    for (const [v, h] of moves) a.move(unit(v), hostIx(h));
    expect(migrationScore(setup.cluster).total(a)).toBe(want);
  });

  it("new VMs (no current host) cost nothing wherever they go", () => {
    const { a, setup, unit, hostIx } = compiled({ ...fatTreeK4, current: {} });
    a.move(unit("a0"), hostIx("h3"));
    expect(migrationScore(setup.cluster).total(a)).toBe(0);
  });

  it.each([1, 2, 3, 4, 5])("deltas equal recomputation (random instance %i)", (seed) => {
    const { a, setup } = compiled(randomInstance({ seed, groups: true }));
    checkScoreDeltas(migrationScore(setup.cluster), a, createRng(seed), 300);
  });
});
