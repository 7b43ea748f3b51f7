import { describe, expect, it } from "vitest";
import { fatTreeK4 } from "../fixtures/fat-tree-k4";
import { checkScoreDeltas, compiled } from "../fixtures/harness";
import { randomInstance } from "../fixtures/random-instance";
import { createRng } from "@ferry/random";
import { trafficScore } from "./traffic";

describe("traffic score", () => {
  it.each([
    {
      // Every chain link crosses pods (distance 5): 3 x 100 x 5 + 3 x 50 x 5 + 1 x 5.
      name: "fat-tree k=4, chains spread over pods",
      problem: fatTreeK4,
      want: 2255,
    },
    {
      name: "fat-tree k=4, chains packed",
      // a0a1 on h0, a2a3 on h1 (same edge): 100 x 1; b likewise on h4/h5: 50 x 1; a3-b0 across pods: 5.
      problem: { ...fatTreeK4, current: { a0: "h0", a1: "h0", a2: "h1", a3: "h1", b0: "h4", b1: "h4", b2: "h5", b3: "h5" } },
      want: 155,
    },
    {
      // Rows are directed: a->b priced d[h1][h2] = 2, b->a priced d[h2][h1] = 7.
      name: "asymmetric matrix",
      problem: {
        hosts: [{ id: "h1", cpu: 4, memMiB: 4096 }, { id: "h2", cpu: 4, memMiB: 4096 }],
        vms: [{ id: "a", cpu: 1, memMiB: 1 }, { id: "b", cpu: 1, memMiB: 1 }],
        traffic: [["a", "b", 10], ["b", "a", 1], ["a", "b", 5]] as const,
        topology: { kind: "matrix" as const, distance: [[0, 2], [7, 0]] },
        current: { a: "h1", b: "h2" },
      },
      want: 15 * 2 + 1 * 7,
    },
    {
      name: "traffic of an unplaced VM costs nothing",
      problem: { ...fatTreeK4, current: { a0: "h0", a1: "h4" } },
      want: 500,
    },
  ])("$name: total $want", ({ problem, want }) => {
    const { a, setup } = compiled(problem);
    expect(trafficScore(setup.cluster).total(a)).toBe(want);
  });

  it.each(Array.from({ length: 10 }, (_, i) => i + 1))("deltas equal recomputation (random instance %i)", (seed) => {
    const { a, setup } = compiled(randomInstance({ seed, groups: true }));
    checkScoreDeltas(trafficScore(setup.cluster), a, createRng(seed), 300);
  });
});
