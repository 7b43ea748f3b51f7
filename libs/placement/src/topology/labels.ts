import type { Hierarchy, Topology } from "./topology";
import { hierarchyDistance } from "./topology";

/**
 * Distances derived from host labels, for a controller that knows racks and pods from node labels:
 * 0 same host, `costs[0]` (default 1) same rack, `costs[1]` (default 3) same pod, `costs[2]` (default 5) otherwise.
 *
 * A rack is identified by (pod, rack) so that rack names reused in different pods stay apart. A host without the
 * rack label is a rack of its own; a host without the pod label is a pod of its own (together with its rack),
 * i.e. unknown means far.
 */
export interface LabelTopologyOptions {
  readonly rackLabel?: string;
  readonly podLabel?: string;
  readonly costs?: readonly [sameRack: number, samePod: number, farther: number];
}

export interface LabelledHost {
  readonly labels?: Readonly<Record<string, string>>;
}

export const DEFAULT_LABEL_COSTS: readonly [number, number, number] = [1, 3, 5];

export function labelTopology(hosts: readonly LabelledHost[], opts: LabelTopologyOptions = {}): Topology {
  const rackLabel = opts.rackLabel ?? "rack";
  const podLabel = opts.podLabel ?? "pod";
  const costs = opts.costs ?? DEFAULT_LABEL_COSTS;
  if (!(0 < costs[0] && costs[0] <= costs[1] && costs[1] <= costs[2])) {
    throw new RangeError(`label costs must satisfy 0 < rack <= pod <= farther, got ${costs.join(", ")}`);
  }
  const n = hosts.length;
  const rackOf = new Int32Array(n);
  const podOf = new Int32Array(n);
  const rackIds = new Map<string, number>();
  const podIds = new Map<string, number>();
  hosts.forEach((host, h) => {
    const pod = host.labels?.[podLabel];
    const rack = host.labels?.[rackLabel];
    // JSON keys cannot collide with "\u0000host"/"\u0000rack" prefixes produced for unlabelled hosts.
    const podKey = pod !== undefined ? `pod:${pod}` : rack !== undefined ? `\u0000rack:${rack}` : `\u0000host:${h}`;
    const rackKey = rack !== undefined ? `${podKey}\u0000${rack}` : `\u0000host:${h}`;
    podOf[h] = idOf(podIds, podKey);
    rackOf[h] = idOf(rackIds, rackKey);
  });
  const hierarchy: Hierarchy = {
    exact: true,
    groupOf: [rackOf, podOf],
    groupCount: [rackIds.size, podIds.size],
    costAtLevel: [costs[0], costs[1], costs[2]],
  };
  return { kind: "labels", hostCount: n, symmetric: true, hierarchy, distance: (a, b) => hierarchyDistance(hierarchy, a, b) };
}

function idOf(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}
