import { describe, expect, it } from "vitest";
import { bcubeTopology } from "./bcube";
import { fatTreeTopology } from "./fat-tree";
import { leafSpineTopology } from "./leaf-spine";
import { SwitchGraph, bcubeGraph, fatTreeGraph, leafSpineGraph, treeGraph, vl2Graph } from "../fixtures/switch-graphs";
import type { Topology } from "./topology";
import { checkNesting, hierarchyDistance } from "./topology";
import { treeTopology } from "./tree";
import { vl2Topology } from "./vl2";

// Every kind against shortest paths on its explicit switch graph, for every pair of hosts.
const cases: { name: string; topology: Topology; graph: SwitchGraph }[] = [
  { name: "fat-tree k=4", topology: fatTreeTopology(4), graph: fatTreeGraph(4) },
  { name: "fat-tree k=6", topology: fatTreeTopology(6), graph: fatTreeGraph(6) },
  { name: "tree [2,3,2]", topology: treeTopology([2, 3, 2]), graph: treeGraph([2, 3, 2]) },
  { name: "tree [3,2,2,2]", topology: treeTopology([3, 2, 2, 2]), graph: treeGraph([3, 2, 2, 2]) },
  { name: "vl2 dA=4 dI=6 3 hosts/ToR", topology: vl2Topology(4, 6, 3), graph: vl2Graph(4, 6, 3) },
  { name: "bcube(3,1)", topology: bcubeTopology(3, 1), graph: bcubeGraph(3, 1) },
  { name: "bcube(2,2)", topology: bcubeTopology(2, 2), graph: bcubeGraph(2, 2) },
  { name: "leaf-spine 3x2", topology: leafSpineTopology(3, 2), graph: leafSpineGraph(3, 2, 1) },
  { name: "leaf-spine 2x2, 3 pods", topology: leafSpineTopology(2, 2, 3), graph: leafSpineGraph(2, 2, 3) },
];

describe("topologies match shortest switch paths", () => {
  it.each(cases)("$name", ({ topology, graph }) => {
    expect(topology.hostCount).toBe(graph.hosts);
    for (let a = 0; a < topology.hostCount; a++) {
      const want = graph.switchesFrom(a);
      for (let b = 0; b < topology.hostCount; b++) expect([a, b, topology.distance(a, b)]).toEqual([a, b, want[b]]);
    }
  });

  it.each(cases)("$name: hierarchy nests, and is exact exactly when it says so", ({ topology }) => {
    const h = topology.hierarchy;
    expect(checkNesting(h)).toBeUndefined();
    let matches = true;
    for (let a = 0; a < topology.hostCount; a++) {
      for (let b = 0; b < topology.hostCount; b++) if (a !== b && hierarchyDistance(h, a, b) !== topology.distance(a, b)) matches = false;
    }
    expect(matches).toBe(h.exact);
  });
});
