import { createHash } from "node:crypto";
import type { Host, TrafficRow, Vm } from "@ferry/placement";
import type { Tx } from "../database/prisma.service";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";

/**
 * The cluster as the placement engine sees it, read in one transaction. What the engine may not touch is folded
 * into capacities instead of listed: VMs that are migrating (they hold room on their source, and their target
 * holds a reservation) and VMs on failed or switched-off nodes (they cannot be live-migrated). `version`
 * fingerprints what a plan's feasibility depends on (who runs where, node states, migrations under way), so a
 * plan computed against one version is refused once the cluster has moved (Nomad's SnapshotIndex).
 */
export interface ClusterSnapshot {
  hosts: Host[];
  vms: Vm[];
  current: Record<string, string>;
  traffic: TrafficRow[];
  nodeNames: Map<string, string>;
  vmNames: Map<string, string>;
  version: string;
}

const UNMOVABLE_HOSTS = new Set(["failed", "off"]);

export async function readSnapshot(tx: Tx): Promise<ClusterSnapshot> {
  const [nodes, vms, migrations, traffic] = await Promise.all([
    tx.node.findMany({ orderBy: { name: "asc" } }),
    tx.vm.findMany({ where: { nodeId: { not: null } }, orderBy: { name: "asc" } }),
    tx.migration.findMany({ where: { state: { in: [...ACTIVE_MIGRATION_STATES] } }, orderBy: { id: "asc" } }),
    tx.traffic.findMany(),
  ]);
  const held = new Map<string, { cpu: number; memMiB: number }>();
  const hold = (nodeId: string, cpu: number, memMiB: number) => {
    const h = held.get(nodeId) ?? { cpu: 0, memMiB: 0 };
    held.set(nodeId, { cpu: h.cpu + cpu, memMiB: h.memMiB + memMiB });
  };
  for (const m of migrations) hold(m.targetNodeId, m.cpu, m.memMiB);
  const nodeState = new Map(nodes.map((n) => [n.id, n.state as string]));
  const movable: Vm[] = [];
  const current: Record<string, string> = {};
  for (const vm of vms) {
    if (vm.state !== "running" || UNMOVABLE_HOSTS.has(nodeState.get(vm.nodeId!) ?? "")) {
      hold(vm.nodeId!, vm.cpu, vm.memMiB);
      continue;
    }
    movable.push({ id: vm.id, cpu: vm.cpu, memMiB: vm.memMiB });
    current[vm.id] = vm.nodeId!;
  }
  const hosts: Host[] = nodes.map((n) => {
    const h = held.get(n.id) ?? { cpu: 0, memMiB: 0 };
    return {
      id: n.id,
      cpu: Math.max(0, n.cpu - h.cpu),
      memMiB: Math.max(0, n.memMiB - h.memMiB),
      // A waking node is still booting: to the engine it is off until its agent reports.
      state: n.state === "waking" ? "off" : n.state,
      labels: n.labels as Record<string, string>,
      hypervisor: n.hypervisor === "bare_metal" ? "bare-metal" : "hosted",
      powerIdleW: n.idleWatts,
      powerMaxW: n.peakWatts,
    };
  });
  const rows: TrafficRow[] = traffic.filter((t) => current[t.vmAId] && current[t.vmBId]).map((t) => [t.vmAId, t.vmBId, t.rateMbps]);
  const version = createHash("sha256")
    .update(vms.map((v) => `${v.id}@${v.nodeId}:${v.state}`).join(","))
    .update(nodes.map((n) => `${n.id}:${n.state}`).join(","))
    .update(migrations.map((m) => m.id).join(","))
    .digest("hex")
    .slice(0, 16);
  return {
    hosts,
    vms: movable,
    current,
    traffic: rows,
    nodeNames: new Map(nodes.map((n) => [n.id, n.name])),
    vmNames: new Map(vms.map((v) => [v.id, v.name])),
    version,
  };
}

/** The same snapshot with some VMs made unmovable: they leave the engine's list and hold room on their node. */
export function pinned(snapshot: ClusterSnapshot, vmIds: ReadonlySet<string>): ClusterSnapshot {
  if (!vmIds.size) return snapshot;
  const held = new Map<string, { cpu: number; memMiB: number }>();
  for (const vm of snapshot.vms) {
    const host = snapshot.current[vm.id];
    if (!vmIds.has(vm.id) || !host) continue;
    const h = held.get(host) ?? { cpu: 0, memMiB: 0 };
    held.set(host, { cpu: h.cpu + vm.cpu, memMiB: h.memMiB + vm.memMiB });
  }
  const current = Object.fromEntries(Object.entries(snapshot.current).filter(([vm]) => !vmIds.has(vm)));
  return {
    ...snapshot,
    hosts: snapshot.hosts.map((h) => {
      const x = held.get(h.id);
      return x ? { ...h, cpu: h.cpu - x.cpu, memMiB: h.memMiB - x.memMiB } : h;
    }),
    vms: snapshot.vms.filter((v) => !vmIds.has(v.id)),
    current,
    traffic: snapshot.traffic.filter(([a, b]) => current[a] && current[b]),
  };
}
