import type { Rng } from "@ferry/random";
import type { Cluster } from "../../model/cluster";
import { unitGraph } from "./graph";
import type { MultilevelOptions } from "./multilevel-partition";
import { multilevelPartition } from "./multilevel-partition";

/**
 * Maps units onto the topology recursively, top-down along its hierarchy (for a fat-tree: pods, then racks,
 * then hosts): at each node the node's units are split among its children by multilevel partitioning of their
 * traffic graph, each child within its capacity, then every child is handled the same way with its share.
 * Traffic leaving a node is the same whichever child a unit goes to (all children are equally far from the
 * outside in a tree), so each split only weighs the traffic inside the node.
 *
 * Above the hosts a child is filled up to max(the node's average utilisation + `slack`, `minFill`) of its
 * capacity, so that every subtree keeps some room for the bin packing at the bottom; hosts are filled up to
 * their capacity. Parts are first grown to the average utilisation (measured better than growing to the limit),
 * then refined up to the limit.
 * Only active hosts count.
 * Returns the host of every unit, -1 for the units that no host of their subtree could take.
 */
export interface MapOptions extends MultilevelOptions {
  /** Extra fill above the node's average utilisation allowed per child group (default 0.15). */
  readonly slack?: number;
  /**
   * A child group may always be filled to this share of its capacity (default 0.9), so that in a lightly loaded
   * cluster an application still fits under one rack instead of being spread to the average utilisation.
   */
  readonly minFill?: number;
  /**
   * Host each unit runs on now (-1 for none). With it, each split starts from where the units run now (a unit
   * that runs outside the node starts unassigned) and is improved by the partitioner's V-cycles instead of being
   * built from scratch: a re-placement's target that keeps what is well placed and gathers what is spread.
   */
  readonly anchor?: Int32Array;
}

interface TreeNode {
  /** Hosts (at the bottom) or child nodes. */
  readonly children: number[];
}

export function mapOntoTopology(c: Cluster, rng: Rng, opts: MapOptions = {}): Int32Array {
  const R = c.resourceCount;
  const H = c.hostIds.length;
  const hier = c.topology.hierarchy;
  const L = hier.groupOf.length;
  // nodes[l][g]: level-l group g (level L is the root), its children at level l - 1 (hosts below level 0).
  const nodes: TreeNode[][] = [];
  const capOf: Float64Array[] = [];
  for (let l = 0; l <= L; l++) {
    const count = l === L ? 1 : hier.groupCount[l];
    nodes.push(Array.from({ length: count }, () => ({ children: [] })));
    capOf.push(new Float64Array(count * R));
  }
  const groupAt = (l: number, h: number): number => (l === L ? 0 : hier.groupOf[l][h]);
  for (let l = 0; l <= L; l++) {
    const seen = new Set<number>();
    for (let h = 0; h < H; h++) {
      if (!c.hostActive[h]) continue;
      const g = groupAt(l, h);
      for (let r = 0; r < R; r++) capOf[l][g * R + r] += c.hostCapacity[h * R + r];
      const child = l === 0 ? h : groupAt(l - 1, h);
      if (l === 0 || !seen.has(child)) {
        seen.add(child);
        nodes[l][g].children.push(child);
      }
    }
  }
  const slack = opts.slack ?? 0.15;
  const minFill = opts.minFill ?? 0.9;
  const hostOf = new Int32Array(c.unitCount).fill(-1);
  const localOf = new Int32Array(c.unitCount).fill(-1);
  const stack: { level: number; group: number; units: Int32Array }[] = [{ level: L, group: 0, units: Int32Array.from({ length: c.unitCount }, (_, u) => u) }];
  while (stack.length > 0) {
    const { level, group, units } = stack.pop()!;
    if (units.length === 0) continue;
    const kids = nodes[level][group].children;
    const K = kids.length;
    const leaf = level === 0;
    const caps = new Float64Array(K * R);
    kids.forEach((k, i) => {
      for (let r = 0; r < R; r++) caps[i * R + r] = leaf ? c.hostCapacity[k * R + r] : capOf[level - 1][k * R + r];
    });
    const target = new Float64Array(K * R);
    const limit = new Float64Array(K * R);
    for (let r = 0; r < R; r++) {
      let demand = 0;
      let capacity = 0;
      for (const u of units) demand += c.unitDemand[u * R + r];
      for (let i = 0; i < K; i++) capacity += caps[i * R + r];
      const fair = capacity > 0 ? demand / capacity : 1;
      const fill = leaf ? 1 : Math.min(1, Math.max(fair + slack, minFill));
      for (let i = 0; i < K; i++) {
        target[i * R + r] = caps[i * R + r] * Math.min(1, fair);
        limit[i * R + r] = caps[i * R + r] * fill;
      }
    }
    const graph = unitGraph(c, units, localOf);
    const initial = opts.anchor && partsNow(opts.anchor, units, kids, (h) => (leaf ? h : groupAt(level - 1, h)));
    const part = multilevelPartition(graph, K, target, limit, rng, opts, initial);
    if (leaf) {
      units.forEach((u, i) => (hostOf[u] = part[i] >= 0 ? kids[part[i]] : -1));
      continue;
    }
    const buckets: number[][] = kids.map(() => []);
    units.forEach((u, i) => part[i] >= 0 && buckets[part[i]].push(u));
    buckets.forEach((us, i) => stack.push({ level: level - 1, group: kids[i], units: Int32Array.from(us) }));
  }
  return hostOf;
}

/** The child of the node each unit runs under now (its index in `kids`), -1 for none or outside the node. */
function partsNow(anchor: Int32Array, units: Int32Array, kids: readonly number[], childOfHost: (h: number) => number): Int32Array {
  const kidIndex = new Map(kids.map((k, i) => [k, i]));
  return Int32Array.from(units, (u) => (anchor[u] >= 0 ? (kidIndex.get(childOfHost(anchor[u])) ?? -1) : -1));
}
