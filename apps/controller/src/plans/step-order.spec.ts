import { describe, expect, it } from "vitest";
import type { DraftMove } from "./plan-draft";
import { orderSteps, type Resources } from "./step-order";

const move = (vmId: string, fromNodeId: string, toNodeId: string): DraftMove => ({ vmId, fromNodeId, toNodeId, reason: "", gain: 0 });
const r = (cpu: number, memMiB: number): Resources => ({ cpu, memMiB });

describe("orderSteps", () => {
  it.each([
    {
      name: "independent moves run side by side",
      moves: [move("v1", "a", "c"), move("v2", "b", "d")],
      free: { a: r(0, 0), b: r(0, 0), c: r(4, 4096), d: r(4, 4096) },
      want: [[], []],
    },
    {
      // b has room for one 2-cpu VM: v2 fits without waiting, v3 needs v1 to leave b first.
      name: "a move waits for the move that frees its target",
      moves: [move("v1", "b", "c"), move("v2", "a", "b"), move("v3", "a", "b")],
      free: { a: r(0, 0), b: r(2, 2048), c: r(8, 8192) },
      want: [[], [], [0]],
    },
    {
      // A swap between two full nodes: the planner made room first (v1 to c), so the swap's second half waits.
      name: "a swap depends only backwards",
      moves: [move("v1", "a", "c"), move("v2", "b", "a"), move("v1", "c", "b")],
      free: { a: r(0, 0), b: r(0, 0), c: r(2, 2048) },
      want: [[], [0], [0, 1]],
    },
    {
      // Neither fits until the other has left: they start together and the scheduler hops one through a third node.
      name: "a swap between two full nodes waits on neither half",
      moves: [move("v1", "a", "b"), move("v2", "b", "a")],
      free: { a: r(0, 0), b: r(0, 0), c: r(8, 8192) },
      want: [[], []],
    },
    {
      name: "a ring of three full nodes, and a move into it that waits for the ring",
      moves: [move("v1", "a", "b"), move("v2", "b", "c"), move("v3", "c", "a"), move("v4", "d", "a")],
      free: { a: r(0, 0), b: r(0, 0), c: r(0, 0), d: r(8, 8192) },
      want: [[], [], [], [0]],
    },
  ])("$name", ({ moves, free, want }) => {
    const size = new Map(["v1", "v2", "v3", "v4"].map((id) => [id, r(2, 2048)]));
    const steps = orderSteps(moves, new Map(Object.entries(free)), size);
    expect(steps.map((s) => s.dependsOn)).toEqual(want);
  });

  it("records each node's free capacity after the move, replaying the plan in order", () => {
    const steps = orderSteps([move("v1", "a", "b"), move("v2", "a", "b")], new Map([["a", r(0, 0)], ["b", r(8, 8192)]]), new Map([["v1", r(2, 1024)], ["v2", r(4, 2048)]]));
    expect(steps.map((s) => s.capacityAfter)).toEqual([
      { source: r(2, 1024), target: r(6, 7168) },
      { source: r(6, 3072), target: r(2, 5120) },
    ]);
  });
});
