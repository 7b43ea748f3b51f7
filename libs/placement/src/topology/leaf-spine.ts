import type { Topology } from "./topology";
import { blockHierarchy, hierarchyDistance, positiveInt } from "./topology";

/**
 * Leaf-spine (two-tier Clos): `leaves` leaf switches with `hostsPerLeaf` hosts each, every leaf linked to every
 * spine. With `pods` > 1 it is the five-stage variant: `leaves` is per pod, and pods meet through a super-spine.
 * Hosts are numbered leaf by leaf.
 *
 * Distance: 0 same host, 1 same leaf, 3 another leaf (leaf-spine-leaf), 5 another pod
 * (leaf-spine-superspine-spine-leaf).
 */
export function leafSpineTopology(leaves: number, hostsPerLeaf: number, pods = 1): Topology {
  positiveInt(leaves, "leaf-spine leaves");
  positiveInt(hostsPerLeaf, "leaf-spine hostsPerLeaf");
  positiveInt(pods, "leaf-spine pods");
  const hostCount = leaves * hostsPerLeaf * pods;
  const hierarchy =
    pods === 1
      ? blockHierarchy(hostCount, [hostsPerLeaf], [1, 3])
      : blockHierarchy(hostCount, [hostsPerLeaf, leaves], [1, 3, 5]);
  return {
    kind: "leaf-spine",
    hostCount,
    symmetric: true,
    hierarchy,
    distance: (a, b) => hierarchyDistance(hierarchy, a, b),
  };
}
