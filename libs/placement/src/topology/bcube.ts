import type { Hierarchy, Topology } from "./topology";
import { positiveInt } from "./topology";

/**
 * BCube(n, k) (Guo et al. 2009): n^(k+1) servers, k + 1 levels of n-port switches. A server's address is k + 1
 * base-n digits; the level-l switch joins the n servers that differ only in digit l. Servers relay, so the shortest
 * path between two servers corrects one differing digit per switch.
 *
 * Distance: the number of switches on the path = the Hamming distance of the addresses (0 same server).
 * Groups for clustering: level l holds the servers that agree on digits l + 1..k (largest inner distance l + 1).
 */
export function bcubeTopology(n: number, k: number): Topology {
  positiveInt(n, "bcube n");
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`bcube k must be a non-negative integer, got ${k}`);
  const levels = k + 1;
  const hostCount = n ** levels;
  const groupOf: Int32Array[] = [];
  const groupCount: number[] = [];
  const costAtLevel: number[] = [];
  let block = 1;
  for (let l = 0; l < levels - 1; l++) {
    block *= n;
    const g = new Int32Array(hostCount);
    for (let h = 0; h < hostCount; h++) g[h] = Math.floor(h / block);
    groupOf.push(g);
    groupCount.push(hostCount / block);
    costAtLevel.push(l + 1);
  }
  costAtLevel.push(levels);
  const hierarchy: Hierarchy = { exact: false, groupOf, groupCount, costAtLevel };
  return {
    kind: "bcube",
    hostCount,
    symmetric: true,
    hierarchy,
    distance: (a, b) => {
      let d = 0;
      while (a !== b) {
        if (a % n !== b % n) d++;
        a = Math.floor(a / n);
        b = Math.floor(b / n);
      }
      return d;
    },
  };
}
