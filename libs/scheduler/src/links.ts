import { labelTopology } from "@ferry/placement";
import type { LinkDefaults, SchedulerNode } from "./model";

/** Node labels that override a link level's capacity (Mbit/s). A rack or pod takes the smallest any member states. */
export const LINK_LABELS = {
  hostUplinkMbps: "host-uplink-mbps",
  rackUplinkMbps: "rack-uplink-mbps",
  podUplinkMbps: "pod-uplink-mbps",
} as const;

/**
 * The migration network as the scheduler sees it: every node has an uplink to its rack switch, every rack an
 * uplink to its pod, every pod an uplink to the core. Links are full duplex, so each has an `up` and a `down`
 * direction of the same capacity, and a migration from A to B uses A's side going up to the first level A and B
 * share, then B's side going down. Racks and pods come from the `rack` and `pod` labels exactly as placement
 * reads them (@ferry/placement labelTopology): a node without a rack label is a rack of its own, one without a
 * pod label a pod of its own.
 */
export interface Fabric {
  readonly capacityMbps: ReadonlyMap<string, number>;
  path(from: string, to: string): readonly string[];
  has(node: string): boolean;
}

export function buildFabric(nodes: readonly SchedulerNode[], defaults: LinkDefaults): Fabric {
  const topology = labelTopology(nodes);
  const [rackOf, podOf] = topology.hierarchy.groupOf;
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const rackNames = groupNames(nodes, rackOf, "rack");
  const podNames = groupNames(nodes, podOf, "pod");
  const explicit = new Map<string, number>();
  const fallback = new Map<string, number>();
  const declare = (key: string, label: number | undefined, byDefault: number) => {
    fallback.set(key, byDefault);
    if (label !== undefined) explicit.set(key, Math.min(explicit.get(key) ?? Infinity, label));
  };
  nodes.forEach((n, i) => {
    declare(`host:${n.id}`, labelMbps(n, LINK_LABELS.hostUplinkMbps), defaults.hostUplinkMbps);
    declare(rackNames[i], labelMbps(n, LINK_LABELS.rackUplinkMbps), defaults.rackUplinkMbps);
    declare(podNames[i], labelMbps(n, LINK_LABELS.podUplinkMbps), defaults.podUplinkMbps);
  });
  const capacity = new Map<string, number>();
  for (const [key, byDefault] of fallback) {
    for (const dir of ["up", "down"]) capacity.set(`${key}:${dir}`, explicit.get(key) ?? byDefault);
  }
  return {
    capacityMbps: capacity,
    has: (node) => index.has(node),
    path(from, to) {
      const a = index.get(from)!;
      const b = index.get(to)!;
      const links = [`host:${from}:up`];
      const tail = [`host:${to}:down`];
      if (rackOf[a] !== rackOf[b]) {
        links.push(`${rackNames[a]}:up`);
        tail.unshift(`${rackNames[b]}:down`);
        if (podOf[a] !== podOf[b]) {
          links.push(`${podNames[a]}:up`);
          tail.unshift(`${podNames[b]}:down`);
        }
      }
      return [...links, ...tail];
    },
  };
}

function labelMbps(node: SchedulerNode, label: string): number | undefined {
  const raw = node.labels?.[label];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!(v > 0)) throw new RangeError(`node ${node.id}: label ${label} must be a positive number of Mbit/s, got "${raw}"`);
  return v;
}

/** A readable, unique name per node for its rack or pod: the label values, or the node standing alone. */
function groupNames(nodes: readonly SchedulerNode[], groupOf: Int32Array, level: "rack" | "pod"): string[] {
  const byGroup = new Map<number, string>();
  return nodes.map((n, i) => {
    let name = byGroup.get(groupOf[i]);
    if (name === undefined) {
      const l = n.labels ?? {};
      name =
        level === "pod"
          ? `pod:${l.pod ?? (l.rack !== undefined ? `rack-${l.rack}` : `node-${n.id}`)}`
          : `rack:${l.rack !== undefined ? `${l.pod ?? "-"}/${l.rack}` : `node-${n.id}`}`;
      byGroup.set(groupOf[i], name);
    }
    return name;
  });
}
