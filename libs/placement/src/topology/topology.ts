/**
 * A data-centre fabric seen from placement: hosts 0..hostCount-1 and the network distance between two hosts,
 * counted as the number of switches on the shortest path (0 on the same host, 1 behind the same edge switch, ...).
 *
 * Contract: distance(a, a) = 0, distance >= 0, and every kind here is symmetric except an explicit matrix, which
 * reports `symmetric`. Large fabrics compute distances from host coordinates: nothing holds an n x n matrix
 * except the explicit matrix kind, whose matrix is the input.
 */
export interface Topology {
  readonly kind: string;
  readonly hostCount: number;
  readonly symmetric: boolean;
  distance(a: number, b: number): number;
  /**
   * A nesting of host groups by cost, finest first, for Cluster-and-Cut's slot clustering and for candidate
   * moves. Exact for tree-like fabrics (see Hierarchy.exact).
   */
  readonly hierarchy: Hierarchy;
}

/**
 * Nested host groups: groupOf[l][h] is the group of host h at level l (level 0 finest, e.g. the rack), and every
 * level-l group lies inside one level-(l + 1) group. costAtLevel[l] is the distance between two distinct hosts
 * whose finest shared group is at level l; costAtLevel[levels] is the distance when they share none.
 *
 * When `exact` is true the distance of every pair of distinct hosts is exactly that cost (tree, fat-tree, VL2,
 * leaf-spine, labels): solvers then price a move against all hosts at once by summing neighbour weights per group
 * (see hierarchicalCosts). When false (BCube, an explicit matrix) the groups are only a clustering by cost, and
 * costAtLevel is the largest distance inside a group of that level.
 */
export interface Hierarchy {
  readonly exact: boolean;
  readonly groupOf: readonly Int32Array[];
  readonly groupCount: readonly number[];
  readonly costAtLevel: readonly number[];
}

/** Distance under an exact hierarchy. */
export function hierarchyDistance(h: Hierarchy, a: number, b: number): number {
  if (a === b) return 0;
  const levels = h.groupOf.length;
  for (let l = 0; l < levels; l++) if (h.groupOf[l][a] === h.groupOf[l][b]) return h.costAtLevel[l];
  return h.costAtLevel[levels];
}

/** Members of each group of one level, as CSR arrays. */
export interface GroupMembers {
  readonly start: Int32Array;
  readonly hosts: Int32Array;
}

export function groupMembers(groupOf: Int32Array, groupCount: number): GroupMembers {
  const start = new Int32Array(groupCount + 1);
  for (let h = 0; h < groupOf.length; h++) start[groupOf[h] + 1]++;
  for (let g = 0; g < groupCount; g++) start[g + 1] += start[g];
  const fill = start.slice(0, groupCount);
  const hosts = new Int32Array(groupOf.length);
  for (let h = 0; h < groupOf.length; h++) hosts[fill[groupOf[h]]++] = h;
  return { start, hosts };
}

/** Checks the nesting invariant; used by tests and by topologies built from user data. */
export function checkNesting(h: Hierarchy): string | undefined {
  for (let l = 0; l + 1 < h.groupOf.length; l++) {
    const parent = new Int32Array(h.groupCount[l]).fill(-1);
    const fine = h.groupOf[l];
    const coarse = h.groupOf[l + 1];
    for (let x = 0; x < fine.length; x++) {
      const g = fine[x];
      if (parent[g] === -1) parent[g] = coarse[x];
      else if (parent[g] !== coarse[x]) return `level ${l} group ${g} spans two level ${l + 1} groups`;
    }
  }
  return undefined;
}

/** Hierarchy for hosts laid out in consecutive blocks: level l groups `sizes[0] * ... * sizes[l]` hosts. */
export function blockHierarchy(hostCount: number, sizes: readonly number[], costAtLevel: readonly number[]): Hierarchy {
  const groupOf: Int32Array[] = [];
  const groupCount: number[] = [];
  let block = 1;
  for (const size of sizes) {
    block *= size;
    const g = new Int32Array(hostCount);
    for (let h = 0; h < hostCount; h++) g[h] = Math.floor(h / block);
    groupOf.push(g);
    groupCount.push(Math.ceil(hostCount / block));
  }
  return { exact: true, groupOf, groupCount, costAtLevel };
}

export function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer, got ${value}`);
  return value;
}
