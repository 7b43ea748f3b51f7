import { describe, expect, it } from "vitest";
import { CandidateNode, placeNewVm } from "./initial-placement";

const node = (name: string, over: Partial<CandidateNode> = {}): CandidateNode => ({
  id: name,
  name,
  state: "active",
  cpu: 16,
  memMiB: 65536,
  ...over,
});

describe("placeNewVm", () => {
  it.each([
    {
      name: "picks the least allocated node",
      nodes: [node("a"), node("b")],
      allocated: { a: { cpu: 8, memMiB: 32768 }, b: { cpu: 2, memMiB: 4096 } },
      want: "b",
    },
    {
      name: "skips a cordoned node even when it is emptier",
      nodes: [node("a"), node("b", { state: "cordoned" })],
      allocated: { a: { cpu: 8, memMiB: 32768 } },
      want: "a",
    },
    {
      name: "skips a node without memory",
      nodes: [node("a"), node("b")],
      allocated: { a: { cpu: 0, memMiB: 65000 }, b: { cpu: 15, memMiB: 0 } },
      want: "b",
    },
    {
      name: "ties go to the first name, so placement is deterministic",
      nodes: [node("b"), node("a")],
      allocated: {},
      want: "a",
    },
  ])("$name", ({ nodes, allocated, want }) => {
    const result = placeNewVm(nodes, new Map(Object.entries(allocated)), { cpu: 1, memMiB: 1024 });
    expect(result).toMatchObject({ ok: true, nodeName: want });
  });

  it("explains every rejection when nothing fits", () => {
    const result = placeNewVm(
      [node("a", { state: "maintenance" }), node("b", { cpu: 2 })],
      new Map([["b", { cpu: 2, memMiB: 0 }]]),
      { cpu: 1, memMiB: 1024 },
    );
    expect(result).toEqual({
      ok: false,
      rejected: [
        { node: "a", reason: "node a is maintenance" },
        { node: "b", reason: "node b has 0 cpu free, 1 needed" },
      ],
    });
  });
});
