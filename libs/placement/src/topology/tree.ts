import type { Topology } from "./topology";
import { blockHierarchy, hierarchyDistance, positiveInt } from "./topology";

/**
 * A tree of switches: `fanout[0]` hosts per edge (top-of-rack) switch, `fanout[1]` edge switches per aggregation
 * switch, and so on; the top level is one core. The classic three-tier data centre is fanout
 * [hostsPerRack, racksPerPod, pods]. Hosts are numbered rack by rack.
 *
 * Distance (switches on the path): 0 on the same host, then 1, 3, 5, ... (2l + 1) when the lowest common switch is
 * at level l (up l + 1 switches, down l).
 */
export function treeTopology(fanout: readonly number[]): Topology {
  if (fanout.length === 0) throw new RangeError("tree needs at least one fanout level");
  fanout.forEach((f, i) => positiveInt(f, `tree fanout[${i}]`));
  const hostCount = fanout.reduce((x, y) => x * y, 1);
  // Levels below the root: the root (the last fanout entry) is shared by everyone and needs no group.
  const sizes = fanout.slice(0, -1);
  const costAtLevel = fanout.map((_, l) => 2 * l + 1);
  const hierarchy = blockHierarchy(hostCount, sizes, costAtLevel);
  return {
    kind: "tree",
    hostCount,
    symmetric: true,
    hierarchy,
    distance: (a, b) => hierarchyDistance(hierarchy, a, b),
  };
}

/** Three-tier (core / aggregation / access): `pods` pods of `racksPerPod` racks of `hostsPerRack` hosts. */
export function threeTierTopology(hostsPerRack: number, racksPerPod: number, pods: number): Topology {
  return { ...treeTopology([hostsPerRack, racksPerPod, pods]), kind: "three-tier" };
}
