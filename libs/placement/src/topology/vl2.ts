import type { Topology } from "./topology";
import { blockHierarchy, hierarchyDistance, positiveInt } from "./topology";

/**
 * VL2 (Greenberg et al. 2009): ToR switches with `hostsPerTor` hosts; every ToR has two uplinks to a pair of
 * aggregation switches; aggregation switches (dA ports: dA/2 down, dA/2 up) form a complete bipartite graph with
 * dA/2 intermediate switches (dI ports). That gives dI aggregation switches in dI/2 pairs, each pair serving
 * dA/2 ToRs: dA * dI / 4 ToRs in all. Hosts are numbered ToR by ToR, pair by pair.
 *
 * Distance: 0 same host, 1 same ToR, 3 ToRs under the same aggregation pair (ToR-Agg-ToR), 5 otherwise
 * (ToR-Agg-Int-Agg-ToR).
 */
export function vl2Topology(dA: number, dI: number, hostsPerTor: number): Topology {
  positiveInt(dA, "vl2 dA");
  positiveInt(dI, "vl2 dI");
  positiveInt(hostsPerTor, "vl2 hostsPerTor");
  if (dA % 2 !== 0 || dI % 2 !== 0) throw new RangeError(`vl2 port counts must be even, got dA=${dA} dI=${dI}`);
  const torsPerPair = dA / 2;
  const pairs = dI / 2;
  const hostCount = hostsPerTor * torsPerPair * pairs;
  const hierarchy = blockHierarchy(hostCount, [hostsPerTor, torsPerPair], [1, 3, 5]);
  return {
    kind: "vl2",
    hostCount,
    symmetric: true,
    hierarchy,
    distance: (a, b) => hierarchyDistance(hierarchy, a, b),
  };
}
