import type { Topology } from "./topology";
import { blockHierarchy, hierarchyDistance, positiveInt } from "./topology";

/**
 * k-ary fat-tree (Al-Fares et al. 2008): k pods, each with k/2 edge and k/2 aggregation switches, (k/2)^2 core
 * switches, k^3/4 hosts (k/2 per edge switch). Hosts are numbered pod by pod, edge switch by edge switch.
 *
 * Distance: 0 same host, 1 same edge switch, 3 same pod (edge-aggregation-edge), 5 across pods
 * (edge-aggregation-core-aggregation-edge).
 */
export function fatTreeTopology(k: number): Topology {
  positiveInt(k, "fat-tree k");
  if (k % 2 !== 0) throw new RangeError(`fat-tree k must be even, got ${k}`);
  const half = k / 2;
  const hostCount = (k * k * k) / 4;
  const hierarchy = blockHierarchy(hostCount, [half, half], [1, 3, 5]);
  return {
    kind: "fat-tree",
    hostCount,
    symmetric: true,
    hierarchy,
    distance: (a, b) => hierarchyDistance(hierarchy, a, b),
  };
}
