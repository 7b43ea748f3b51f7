import { describe, expect, it } from "vitest";
import { leafSpineTopology } from "./leaf-spine";

describe("leaf-spine", () => {
  it.each([
    { name: "same host", leaves: 4, perLeaf: 4, pods: 1, a: 5, b: 5, want: 0 },
    { name: "same leaf", leaves: 4, perLeaf: 4, pods: 1, a: 4, b: 7, want: 1 },
    { name: "other leaf", leaves: 4, perLeaf: 4, pods: 1, a: 3, b: 4, want: 3 },
    { name: "same pod, other leaf", leaves: 2, perLeaf: 4, pods: 2, a: 0, b: 4, want: 3 },
    { name: "other pod", leaves: 2, perLeaf: 4, pods: 2, a: 0, b: 8, want: 5 },
  ])("$name", ({ leaves, perLeaf, pods, a, b, want }) => {
    expect(leafSpineTopology(leaves, perLeaf, pods).distance(a, b)).toBe(want);
  });
});
